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

/// What went wrong, for people, when a TLS failure (bad certificate, failed handshake) is
/// somewhere in the error's causes; `None` for any other failure. A TLS failure is final:
/// retrying only delays the message the user needs.
pub(super) fn failure_message(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    super::error::causes(error)
        .find_map(|cause| cause.downcast_ref::<rustls::Error>())
        .map(describe)
}

fn describe(error: &rustls::Error) -> String {
    use rustls::CertificateError as Cert;
    match error {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => {
            "TLS certificate not trusted: the server's certificate is not signed by an \
             authority this machine trusts (if a proxy or a private CA signs it, pass that CA \
             with --auth-ca FILE)"
                .to_owned()
        }
        rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => {
            "TLS certificate not trusted: the server's certificate has expired".to_owned()
        }
        rustls::Error::InvalidCertificate(Cert::NotValidYet | Cert::NotValidYetContext { .. }) => {
            "TLS certificate not trusted: the server's certificate is not valid yet (is this \
             machine's clock right?)"
                .to_owned()
        }
        rustls::Error::InvalidCertificate(
            Cert::NotValidForName | Cert::NotValidForNameContext { .. },
        ) => "TLS certificate not trusted: the server's certificate is for another host name"
            .to_owned(),
        rustls::Error::InvalidCertificate(other) => {
            format!("TLS certificate not trusted ({other})")
        }
        // What arrives when the server answers a TLS handshake in plain HTTP.
        rustls::Error::InvalidMessage(_) => "the server does not speak TLS (is it a plain \
             http:// server, such as the sandbox? then use an http:// URL)"
            .to_owned(),
        other => format!("TLS handshake failed ({other})"),
    }
}
