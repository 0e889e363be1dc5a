//! A subject token from a URL: a local identity endpoint such as Azure's
//! instance metadata service, or a token server of the caller's own.

use http::header::{HeaderName, HeaderValue};

use super::source::{Context, Format, SubjectToken};
use crate::auth::endpoint;
use crate::auth::key_file::KeyFile;
use crate::body::Body;
use crate::error::Error;

#[derive(Clone)]
pub(crate) struct UrlSource {
    url: String,
    /// Sent as they are; some (an API key, say) may be secrets.
    headers: Vec<(HeaderName, HeaderValue)>,
    format: Format,
}

impl std::fmt::Debug for UrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("UrlSource").field("url", &self.url).field("headers", &names).finish_non_exhaustive()
    }
}

impl UrlSource {
    pub(crate) fn parse(source: &KeyFile) -> Result<Self, Error> {
        let url = source.required("url")?;
        check_url(url)
            .map_err(|why| Error::auth(format!("the `url` of the {} is not usable: {why}", source.source())))?;
        let mut headers = Vec::new();
        for (name, value) in source.object("headers")?.unwrap_or_default() {
            let bad = || Error::auth(format!("the `headers` of the {} has an unusable `{name}`", source.source()));
            let value = value.as_str().ok_or_else(bad)?;
            let name_ok = HeaderName::try_from(name.as_str()).map_err(|_| bad())?;
            let mut value = HeaderValue::try_from(value).map_err(|_| bad())?;
            value.set_sensitive(true);
            headers.push((name_ok, value));
        }
        Ok(Self { url: url.to_owned(), headers, format: Format::parse(source)? })
    }

    pub(crate) async fn subject_token(&self, context: &Context<'_>) -> Result<SubjectToken, Error> {
        let from = format!("the subject token URL {}", self.url);
        let mut request = http::Request::get(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = request.body(Body::empty()).map_err(|_| Error::auth(format!("{from} is not a valid URI")))?;
        let secrets: Vec<&str> = self.headers.iter().filter_map(|(_, v)| v.to_str().ok()).collect();
        let (status, body) =
            endpoint::send_raw(context.transport, request, &from).await.map_err(|e| endpoint::scrubbed(e, &secrets))?;
        if !status.is_success() {
            return Err(Error::auth(format!("{from} answered HTTP {} instead of a subject token", status.as_u16()))
                .with_http_status(status));
        }
        self.format.read(&body, &format!("the answer of {from}"))
    }
}

/// https anywhere; plain http only to this machine or a link-local address,
/// where instance metadata services (Azure's, AWS's) listen.
pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed: http::Uri = url.parse().map_err(|_| "it is not a valid URI")?;
    match (parsed.scheme_str(), parsed.host()) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if crate::host::is_loopback(host) || is_link_local(host) => Ok(()),
        (Some("http"), Some(_)) => Err("plain http is only allowed for loopback and link-local hosts"),
        _ => Err("the scheme must be https"),
    }
}

fn is_link_local(host: &str) -> bool {
    match host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_link_local(),
        // fe80::/10, and the address AWS gives its metadata service on IPv6.
        Ok(std::net::IpAddr::V6(ip)) => {
            (ip.segments()[0] & 0xffc0) == 0xfe80 || ip == std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_nearby() {
        assert!(check_url("https://idp.example/token").is_ok());
        assert!(check_url("http://127.0.0.1:8080/token").is_ok());
        assert!(check_url("http://169.254.169.254/metadata/identity/oauth2/token").is_ok());
        assert!(check_url("http://[fd00:ec2::254]/latest").is_ok());
        assert!(check_url("http://idp.example/token").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
    }
}
