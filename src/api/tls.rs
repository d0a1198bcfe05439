//! TLS set-up: rustls on *ring* (no OpenSSL, no aws-lc; see STYLE.md for the measurements).

use std::path::Path;
use std::sync::Arc;

use super::{ApiError, ClientOptions};

/// A CA bundle larger than this is refused (Mozilla's whole set is about 220 KiB).
const MAX_CA_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// TLS settings for `options`. `--auth-ca` replaces the default roots, as `avn`'s does
/// (requests' `verify=FILE`); plain-http URLs skip loading any roots at all, so a machine
/// without a CA store still reaches a local sandbox.
pub(super) fn client_config(options: &ClientOptions) -> Result<rustls::ClientConfig, ApiError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::Setup(format!("TLS setup failed: {e}")))?;
    let builder = if let Some(ca) = &options.auth_ca {
        builder.with_root_certificates(read_ca(ca)?)
    } else if options.base_url.scheme() == "https" {
        use rustls_platform_verifier::BuilderVerifierExt;
        builder.with_platform_verifier().map_err(|e| {
            ApiError::Setup(format!(
                "cannot load the system's CA certificates ({e}); pass --auth-ca FILE"
            ))
        })?
    } else {
        builder.with_root_certificates(rustls::RootCertStore::empty())
    };
    Ok(builder.with_no_client_auth())
}

fn read_ca(path: &Path) -> Result<rustls::RootCertStore, ApiError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let fail = |why: String| ApiError::Setup(format!("CA file {}: {why}", path.display()));
    let bytes = match crate::files::read_regular(path, MAX_CA_FILE_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(fail("no such file".into())),
        Err(error) => return Err(fail(error.to_string())),
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| fail(format!("not a PEM certificate file ({e})")))?;
        roots
            .add(cert)
            .map_err(|e| fail(format!("unusable certificate ({e})")))?;
    }
    if roots.is_empty() {
        return Err(fail("no PEM certificates found".into()));
    }
    Ok(roots)
}

/// A TLS failure (bad certificate, failed handshake) somewhere in the error's causes.
/// `io::Error` hides the error it wraps from `source()`, so look inside those too.
pub(super) fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(current) = cause {
        let wrapped = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if current.is::<rustls::Error>() || wrapped.is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        cause = current.source();
    }
    false
}
