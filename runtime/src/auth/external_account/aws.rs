//! A subject token for AWS workloads: a `GetCallerIdentity` request signed
//! with the workload's AWS credentials, which Google's STS forwards to AWS
//! to learn who signed it. The request is never sent from here.
//!
//! Region and credentials come from the usual AWS variables, else from the
//! EC2 instance metadata service (with an IMDSv2 session when the file names
//! one).

use std::time::{SystemTime, UNIX_EPOCH};

use http::header::HeaderValue;
use serde_json::{json, Value};

use super::sigv4::{self, AwsCredentials};
use super::source::{Context, SubjectToken};
use super::url::check_url;
use crate::auth::endpoint;
use crate::auth::key_file::KeyFile;
use crate::body::Body;
use crate::encode::{percent_encode_into, UNRESERVED};
use crate::error::Error;

/// How long an IMDSv2 session lasts: only for the few requests of one
/// exchange.
const SESSION_TTL_SECONDS: &str = "300";

#[derive(Clone, Debug)]
pub(crate) struct Aws {
    region_url: Option<String>,
    /// The metadata URL that lists the instance's role.
    credentials_url: Option<String>,
    /// Where `GetCallerIdentity` is, with `{region}` in it.
    verification_url: String,
    session_token_url: Option<String>,
}

impl Aws {
    pub(crate) fn parse(source: &KeyFile) -> Result<Self, Error> {
        let environment = source.required("environment_id")?;
        let version =
            environment.strip_prefix("aws").filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
        match version {
            Some("1") => {}
            Some(other) => {
                return Err(Error::auth(format!(
                    "the {} has an `environment_id` of aws{other}; only aws1 is supported",
                    source.source()
                )))
            }
            None => {
                return Err(Error::auth(format!(
                    "the {} has an `environment_id` of {}, which is not an AWS one (aws1)",
                    source.source(),
                    crate::text::quoted(environment)
                )))
            }
        }
        let url = |field: &str, required: bool| -> Result<Option<String>, Error> {
            let value = if required { Some(source.required(field)?) } else { source.optional(field)? };
            let Some(value) = value else { return Ok(None) };
            check_url(&value.replace("{region}", "us-east-1"))
                .map_err(|why| Error::auth(format!("the `{field}` of the {} is not usable: {why}", source.source())))?;
            Ok(Some(value.to_owned()))
        };
        Ok(Self {
            verification_url: url("regional_cred_verification_url", true)?.unwrap_or_default(),
            region_url: url("region_url", false)?,
            credentials_url: url("url", false)?,
            session_token_url: url("imdsv2_session_token_url", false)?,
        })
    }

    pub(crate) async fn subject_token(&self, context: &Context<'_>) -> Result<SubjectToken, Error> {
        let region_from_env = variable("AWS_REGION").or_else(|| variable("AWS_DEFAULT_REGION"));
        let credentials_from_env = match (variable("AWS_ACCESS_KEY_ID"), variable("AWS_SECRET_ACCESS_KEY")) {
            (Some(access_key_id), Some(secret_access_key)) => {
                Some(AwsCredentials { access_key_id, secret_access_key, session_token: variable("AWS_SESSION_TOKEN") })
            }
            _ => None,
        };
        let metadata = Metadata {
            session: match (&self.session_token_url, region_from_env.is_none() || credentials_from_env.is_none()) {
                (Some(url), true) => Some(session(context, url).await?),
                _ => None,
            },
            context,
        };
        let region = match region_from_env {
            Some(region) => region,
            None => {
                let url = self.region_url.as_deref().ok_or_else(|| {
                    Error::auth(
                        "no AWS region: AWS_REGION and AWS_DEFAULT_REGION are unset and the credential file's \
                         `credential_source` has no `region_url`",
                    )
                })?;
                // An availability zone ("us-east-2b"): the region and a letter.
                let mut zone = metadata.get(url, "the AWS region URL").await?;
                zone.pop();
                zone
            }
        };
        if region.is_empty() || !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::auth("the AWS region is not a region name"));
        }
        let credentials = match credentials_from_env {
            Some(credentials) => credentials,
            None => self.credentials_from(&metadata).await?,
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        signed_request(&self.verification_url, &region, context.audience, &credentials, now)
    }

    /// The instance role's temporary credentials, from the metadata service.
    async fn credentials_from(&self, metadata: &Metadata<'_>) -> Result<AwsCredentials, Error> {
        let url = self.credentials_url.as_deref().ok_or_else(|| {
            Error::auth(
                "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are unset and the credential \
                 file's `credential_source` has no `url`",
            )
        })?;
        let role = metadata.get(url, "the AWS metadata URL").await?;
        if role.is_empty() || role.contains('/') {
            return Err(Error::auth("the AWS metadata URL named no usable role"));
        }
        let url = format!("{}/{role}", url.trim_end_matches('/'));
        let text = metadata.get(&url, "the AWS metadata URL of the role").await?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|_| Error::auth("the AWS metadata service sent role credentials that are not JSON"))?;
        let field =
            |name: &str| {
                json.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned).ok_or_else(|| {
                    Error::auth(format!("the AWS metadata service sent role credentials without `{name}`"))
                })
            };
        Ok(AwsCredentials {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: field("SecretAccessKey")?,
            session_token: field("Token").ok(),
        })
    }
}

fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// GETs from the instance metadata service, in the IMDSv2 session if any.
struct Metadata<'a> {
    session: Option<String>,
    context: &'a Context<'a>,
}

impl Metadata<'_> {
    async fn get(&self, url: &str, what: &str) -> Result<String, Error> {
        let mut request = http::Request::get(url);
        if let Some(session) = &self.session {
            let mut value =
                HeaderValue::try_from(session).map_err(|_| Error::auth("the IMDSv2 session token cannot be sent"))?;
            value.set_sensitive(true);
            request = request.header("x-aws-ec2-metadata-token", value);
        }
        let request = request.body(Body::empty()).map_err(|_| Error::auth(format!("{what} is not a valid URI")))?;
        text(self.context, request, what, self.session.as_deref()).await
    }
}

/// Opens an IMDSv2 session.
async fn session(context: &Context<'_>, url: &str) -> Result<String, Error> {
    let request = http::Request::put(url)
        .header("x-aws-ec2-metadata-token-ttl-seconds", SESSION_TTL_SECONDS)
        .body(Body::empty())
        .map_err(|_| Error::auth("the IMDSv2 session token URL is not a valid URI"))?;
    text(context, request, "the IMDSv2 session token URL", None).await
}

/// The text of a successful answer. Failures quote no body: a metadata
/// answer may be a credential.
async fn text(
    context: &Context<'_>,
    request: http::Request<Body>,
    what: &str,
    secret: Option<&str>,
) -> Result<String, Error> {
    let secrets: Vec<&str> = secret.into_iter().collect();
    let (status, body) =
        endpoint::send_raw(context.transport, request, what).await.map_err(|e| endpoint::scrubbed(e, &secrets))?;
    if !status.is_success() {
        return Err(Error::auth(format!("{what} answered HTTP {}", status.as_u16())).with_http_status(status));
    }
    let text = String::from_utf8(body.to_vec()).map_err(|_| Error::auth(format!("{what} answered with no text")))?;
    Ok(text.trim().to_owned())
}

/// The signed `GetCallerIdentity` request, serialised as Google's STS
/// takes it: URL-encoded JSON of its URL, method and headers, the target
/// resource (the pool provider) among the signed ones so that the token
/// is good for that audience only.
pub(crate) fn signed_request(
    verification_url: &str,
    region: &str,
    audience: &str,
    credentials: &AwsCredentials,
    now: u64,
) -> Result<SubjectToken, Error> {
    let url = verification_url.replace("{region}", region);
    let uri: http::Uri =
        url.parse().map_err(|_| Error::auth("the `regional_cred_verification_url` is not a valid URI"))?;
    let host = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let amz_date = amz_date(now);
    let mut headers = vec![("host", host.as_str()), ("x-amz-date", amz_date.as_str())];
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token", token));
    }
    headers.push(("x-goog-cloud-target-resource", audience));
    let request = sigv4::Request {
        method: "POST",
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: &headers,
        payload: b"",
    };
    let scope = sigv4::Scope { amz_date: &amz_date, region, service: "sts" };
    let authorization = sigv4::authorization(&request, &scope, credentials);
    let signature = authorization.rsplit_once("Signature=").map(|(_, s)| s.to_owned()).unwrap_or_default();
    let mut listed = vec![json!({"key": "Authorization", "value": authorization})];
    listed.extend(headers.iter().map(|(key, value)| json!({"key": key, "value": value})));
    let serialised = json!({"url": url, "method": "POST", "headers": listed}).to_string();
    let mut encoded = String::with_capacity(serialised.len() * 2);
    percent_encode_into(&mut encoded, &serialised, UNRESERVED);
    let mut inner_secrets = vec![serialised, signature];
    inner_secrets.extend(credentials.session_token.clone());
    Ok(SubjectToken { token: encoded, inner_secrets })
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time.
fn amz_date(now: u64) -> String {
    let stamp = crate::wire::Timestamp::from_unix(i64::try_from(now).unwrap_or(0), 0).map(|t| t.to_string());
    stamp.unwrap_or_default().chars().filter(|c| !matches!(c, '-' | ':')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
    }

    #[test]
    fn the_serialised_request_lists_every_signed_header() {
        let credentials = AwsCredentials {
            access_key_id: "AKID".to_owned(),
            secret_access_key: "secret".to_owned(),
            session_token: Some("session".to_owned()),
        };
        let url = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
        let signed = signed_request(url, "eu-west-1", "//iam.googleapis.com/x", &credentials, 1_440_938_160).unwrap();
        let decoded = percent_encoding::percent_decode_str(&signed.token).decode_utf8().unwrap();
        assert!(signed.inner_secrets.iter().any(|s| s == "session"));
        let json: Value = serde_json::from_str(&decoded).unwrap();
        assert_eq!(json["url"], "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15");
        assert_eq!(json["method"], "POST");
        let keys: Vec<&str> = json["headers"].as_array().unwrap().iter().map(|h| h["key"].as_str().unwrap()).collect();
        assert_eq!(
            keys,
            ["Authorization", "host", "x-amz-date", "x-amz-security-token", "x-goog-cloud-target-resource"]
        );
        let authorization = json["headers"][0]["value"].as_str().unwrap();
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource, Signature="), "{authorization}");
        assert_eq!(json["headers"][1]["value"], "sts.eu-west-1.amazonaws.com");
    }
}
