//! TLS set-up: rustls on *ring* (no OpenSSL, no aws-lc; see STYLE.md for the measurements).

use std::sync::Arc;

use super::{ApiError, CaBundle, ClientOptions};

/// A CA bundle larger than this is refused (Mozilla's whole set is about 220 KiB).
const MAX_CA_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// TLS settings for `options`.
///
/// Trust, as `avn` has it: by default Mozilla's root certificates, compiled into the binary
/// (what `avn` trusts through certifi; nothing to load or parse at run time, where the
/// operating system's bundle cost as much as the request itself). A CA bundle file, when
/// one is configured (`--auth-ca`, `AIVEN_CA_CERT`, or the `REQUESTS_CA_BUNDLE` /
/// `CURL_CA_BUNDLE` / `SSL_CERT_FILE` that corporate proxies set up; `config` decides which),
/// replaces them, as requests' `verify=FILE` does. Plain-http URLs load no roots at all.
///
/// With `--system-ca`, the operating system verifies instead ([`system_verifier`]).
pub(super) fn client_config(options: &ClientOptions) -> Result<rustls::ClientConfig, ApiError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::Setup(format!("TLS setup failed: {e}")))?;
    if options.system_ca && options.base_url.scheme() == "https" {
        let verifier = system_verifier(options.auth_ca.as_ref(), provider)?;
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth());
    }
    let roots = match &options.auth_ca {
        Some(bundle) => read_ca(bundle)?,
        None if options.base_url.scheme() == "https" => rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        None => rustls::RootCertStore::empty(),
    };
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// The operating system's verifier, for users whose company's CA is installed there rather
/// than in a file (`--system-ca`): on macOS the Keychain's trust settings
/// (Security.framework), on Windows the certificate store (CryptoAPI), elsewhere the
/// system's CA bundle (as OpenSSL finds it, `SSL_CERT_FILE` and `SSL_CERT_DIR` included)
/// checked by webpki. rustls-platform-verifier, already built for reqwest, picks by
/// platform. The CA bundle named by the settings, if any, is trusted too.
fn system_verifier(
    bundle: Option<&CaBundle>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, ApiError> {
    let verifier = match bundle {
        Some(bundle) => rustls_platform_verifier::Verifier::new_with_extra_roots(
            read_ca_certs(bundle)?,
            provider,
        ),
        None => rustls_platform_verifier::Verifier::new(provider),
    };
    verifier.map_err(|e| {
        ApiError::Setup(format!(
            "cannot use the system's certificate store (--system-ca): {e}"
        ))
    })
}

/// The CA bundle's certificates as the only roots.
fn read_ca(bundle: &CaBundle) -> Result<rustls::RootCertStore, ApiError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(read_ca_certs(bundle)?);
    Ok(roots)
}

/// The certificates of a CA bundle file, each checked usable as a root: a file that is not
/// one, or holds none, is an error naming it and the setting it came from.
fn read_ca_certs(
    bundle: &CaBundle,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, ApiError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let path = &bundle.path;
    let fail = |why: String| {
        ApiError::Setup(format!(
            "CA file {} (from {}): {why}",
            path.display(),
            bundle.from
        ))
    };
    let bytes = match crate::files::read_regular(path, MAX_CA_FILE_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(fail("no such file".into())),
        Err(error) => return Err(fail(error.to_string())),
    };
    let mut certs = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| fail(format!("not a PEM certificate file ({e})")))?;
        rustls::RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| fail(format!("unusable certificate ({e})")))?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(fail("no PEM certificates found".into()));
    }
    Ok(certs)
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
             with --auth-ca FILE, or --system-ca where it is in the system's certificate \
             store)"
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
