//! Universe domains: the domain a Google Cloud universe serves its APIs
//! from (`googleapis.com` for Google's own; Trusted Partner Cloud and
//! sovereign clouds have others).
//!
//! The client's universe is, in this order (as google-api-core's
//! `universe.determine_domain` picks it for Python clients): the client
//! option ([`crate::client::ClientBuilder::universe_domain`]), the
//! `GOOGLE_CLOUD_UNIVERSE_DOMAIN` variable, then `googleapis.com`; an empty
//! value is an error. Credentials that know their universe (a key file's
//! `universe_domain`) must match it, or the client is not built
//! (`universe.compare_domains` there), so no request leaves with them.

use crate::error::Error;

/// Google's own universe.
pub const DEFAULT_UNIVERSE: &str = "googleapis.com";
/// The variable that sets the universe for every client of a program.
pub const UNIVERSE_VARIABLE: &str = "GOOGLE_CLOUD_UNIVERSE_DOMAIN";

/// The universe of a client: `option`, else the variable's value `env`,
/// else the default. Refuses an empty value and one that is not a domain.
pub(crate) fn determine(option: Option<&str>, env: Option<String>) -> Result<String, Error> {
    let (universe, from) = match (option, env) {
        (Some(option), _) => (option.to_owned(), "the client's universe domain"),
        (None, Some(env)) => (env, UNIVERSE_VARIABLE),
        (None, None) => return Ok(DEFAULT_UNIVERSE.to_owned()),
    };
    let universe = universe.trim().to_ascii_lowercase();
    if universe.is_empty() {
        return Err(Error::invalid_argument(format!("{from} is empty")));
    }
    let domain = universe.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !domain {
        return Err(Error::invalid_argument(format!("{from} {} is not a domain name", crate::text::quoted(&universe))));
    }
    Ok(universe)
}

/// Refuses credentials from another universe than the client's. `None`
/// means the credentials do not say (a fixed token, the metadata server).
pub(crate) fn check_credentials(client: &str, credentials: Option<&str>) -> Result<(), Error> {
    match credentials {
        Some(theirs) if !theirs.eq_ignore_ascii_case(client) => Err(Error::auth(format!(
            "the client is for universe domain {client}, but its credentials are for {theirs}; nothing was sent. \
             Set ClientBuilder::universe_domain or {UNIVERSE_VARIABLE} to the credentials' universe, or use \
             credentials from {client} (when neither is set, the universe is {DEFAULT_UNIVERSE})"
        ))),
        _ => Ok(()),
    }
}

/// `root_url` (an API's default, such as `https://drive.googleapis.com/`)
/// in `universe`: a host under `googleapis.com` moves under the universe's
/// domain. Other roots are left alone.
pub(crate) fn rewrite_root(root_url: &str, universe: &str) -> String {
    if universe == DEFAULT_UNIVERSE {
        return root_url.to_owned();
    }
    let Some((scheme, rest)) = root_url.split_once("://") else { return root_url.to_owned() };
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let moved = match host.strip_suffix(DEFAULT_UNIVERSE) {
        Some(prefix) if prefix.is_empty() || prefix.ends_with('.') => format!("{prefix}{universe}"),
        _ => return root_url.to_owned(),
    };
    format!("{scheme}://{moved}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_beats_the_variable_which_beats_the_default() {
        assert_eq!(determine(None, None).unwrap(), "googleapis.com");
        assert_eq!(determine(None, Some("env.example".into())).unwrap(), "env.example");
        assert_eq!(determine(Some("opt.example"), Some("env.example".into())).unwrap(), "opt.example");
        assert!(determine(None, Some(" ".into()))
            .unwrap_err()
            .to_string()
            .contains("GOOGLE_CLOUD_UNIVERSE_DOMAIN is empty"));
        assert!(determine(Some(""), None).unwrap_err().to_string().contains("universe domain is empty"));
        assert!(determine(Some("a/b"), None).unwrap_err().to_string().contains("not a domain name"));
    }

    #[test]
    fn roots_move_to_the_universe() {
        assert_eq!(rewrite_root("https://drive.googleapis.com/", "tpc.example"), "https://drive.tpc.example/");
        assert_eq!(
            rewrite_root("https://www.googleapis.com/drive/v3/", "tpc.example"),
            "https://www.tpc.example/drive/v3/"
        );
        assert_eq!(rewrite_root("https://drive.googleapis.com/", DEFAULT_UNIVERSE), "https://drive.googleapis.com/");
        assert_eq!(rewrite_root("https://example.com/", "tpc.example"), "https://example.com/");
        assert_eq!(rewrite_root("https://notgoogleapis.com/", "tpc.example"), "https://notgoogleapis.com/");
    }

    #[test]
    fn credentials_must_match() {
        assert!(check_credentials("googleapis.com", Some("googleapis.com")).is_ok());
        assert!(check_credentials("tpc.example", None).is_ok());
        let message = check_credentials("googleapis.com", Some("tpc.example")).unwrap_err().to_string();
        assert!(message.contains("universe domain googleapis.com") && message.contains("for tpc.example"), "{message}");
    }
}
