//! A subject token printed by a program of the user's choosing, under
//! Google's executable-sourced credentials contract: the program learns
//! what is asked through `GOOGLE_EXTERNAL_ACCOUNT_*` variables and prints a
//! versioned JSON response, which it may also leave in an output file for
//! later runs to reuse until it expires.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::source::{Context, SubjectToken};
use crate::auth::key_file::KeyFile;
use crate::error::Error;

/// Running a program named in a file is opt-in, as in Google's libraries:
/// a credential file alone must not be enough to run code.
pub(crate) const ALLOW_VARIABLE: &str = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const MIN_TIMEOUT_MS: u64 = 5_000;
const MAX_TIMEOUT_MS: u64 = 120_000;
/// The newest response `version` this reads.
const VERSION: u64 = 1;
/// A SAML response can run to tens of kilobytes; a megabyte is no response.
const MAX_OUTPUT: u64 = 1024 * 1024;
/// How often a running program is looked at: std has no wait with a
/// timeout, and tokio's `process` feature would add a crate for it.
const POLL: Duration = Duration::from_millis(10);

#[derive(Clone, Debug)]
pub(crate) struct Executable {
    program: String,
    args: Vec<String>,
    timeout: Duration,
    output_file: Option<PathBuf>,
}

/// What a response says.
enum Response {
    Token(SubjectToken, Option<u64>),
    Expired,
    Failed { code: String, message: String },
}

impl Executable {
    pub(crate) fn parse(source: &KeyFile) -> Result<Self, Error> {
        let object = source.object("executable")?.unwrap_or_default();
        let executable = KeyFile::from_object(object, format!("`executable` of the {}", source.source()));
        // Split on white space, with no shell: the command is a program and
        // its arguments, not a script.
        let mut words = executable.required("command")?.split_whitespace().map(str::to_owned);
        let program =
            words.next().ok_or_else(|| Error::auth(format!("the {} has a blank `command`", executable.source())))?;
        let timeout = match executable.optional_u64("timeout_millis")? {
            None => DEFAULT_TIMEOUT,
            Some(ms) if (MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&ms) => Duration::from_millis(ms),
            Some(ms) => {
                return Err(Error::auth(format!(
                    "the {} has a `timeout_millis` of {ms}; it must be from {MIN_TIMEOUT_MS} to {MAX_TIMEOUT_MS}",
                    executable.source()
                )))
            }
        };
        let output_file = executable.optional("output_file")?.map(PathBuf::from);
        Ok(Self { program, args: words.collect(), timeout, output_file })
    }

    pub(crate) async fn subject_token(&self, context: &Context<'_>) -> Result<SubjectToken, Error> {
        if std::env::var_os(ALLOW_VARIABLE).is_none_or(|v| v != "1") {
            return Err(Error::auth(format!(
                "the credential file asks to run {} for a subject token, but executables are not allowed; set \
                 {ALLOW_VARIABLE}=1 to allow it",
                self.program
            )));
        }
        if let Some(path) = &self.output_file {
            if let Some(token) = cached(path)? {
                return Ok(token);
            }
        }
        let output = self.run(context).await?;
        let from = format!("the output of {}", self.program);
        match read(&output, &from)? {
            Response::Token(_, None) if self.output_file.is_some() => Err(Error::auth(format!(
                "{from} has no `expiration_time`, which is required when the credential file names an `output_file`"
            ))),
            Response::Token(token, _) => Ok(token),
            Response::Expired => Err(Error::auth(format!("{from} holds a token that has already expired"))),
            Response::Failed { code, message } => Err(Error::auth(format!(
                "{} reported a failure: {} ({})",
                self.program,
                crate::text::quoted(&code),
                crate::text::quoted(&message)
            ))),
        }
    }

    /// Runs the program and returns what it printed, if it exits with 0
    /// in time. Its standard error is the user's to see.
    async fn run(&self, context: &Context<'_>) -> Result<Vec<u8>, Error> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", context.audience)
            .env("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", context.token_type)
            .env("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(email) = context.impersonated {
            command.env("GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL", email);
        }
        if let Some(path) = &self.output_file {
            command.env("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", path);
        }
        tracing::debug!(target: "discogen::auth", program = %self.program, "running an executable for a subject token");
        let child = command
            .spawn()
            .map_err(|e| Error::auth(format!("could not run {} for a subject token", self.program)).with_source(e))?;
        let mut running = Running { child, exited: false };
        let stdout = running.child.stdout.take();
        let reader = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            if let Some(stdout) = stdout {
                // A read error leaves what was read; the JSON check catches it.
                let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut out);
            }
            out
        });
        let deadline = tokio::time::Instant::now() + self.timeout;
        let timed_out = || {
            Error::timeout(format!(
                "{} did not finish within {} ms (the `timeout_millis` of its credential file)",
                self.program,
                self.timeout.as_millis()
            ))
        };
        let status = loop {
            match running.child.try_wait() {
                Ok(Some(status)) => break status,
                // Dropping `running` kills it.
                Ok(None) if tokio::time::Instant::now() >= deadline => return Err(timed_out()),
                Ok(None) => tokio::time::sleep(POLL).await,
                Err(e) => return Err(Error::auth(format!("could not wait for {}", self.program)).with_source(e)),
            }
        };
        running.exited = true;
        if !status.success() {
            // What it printed is left out: it may hold a token.
            return Err(Error::auth(format!("{} failed ({status}) instead of printing a subject token", self.program)));
        }
        // A process it left behind may hold its output open; the deadline
        // holds for the reading too.
        match tokio::time::timeout_at(deadline, reader).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(_)) => Err(Error::auth(format!("could not read the output of {}", self.program))),
            Err(_) => Err(timed_out()),
        }
    }
}

/// A child process that is killed if it is given up on (a timeout, or the
/// caller dropping the token future).
struct Running {
    child: Child,
    exited: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.exited {
            let _ = self.child.kill();
            // Reaps it; a killed process exits at once.
            let _ = self.child.wait();
        }
    }
}

/// A still valid token in the output file of an earlier run. A missing or
/// unreadable file, an expired or failed response, or one without an
/// expiry all mean running the program; a malformed one is an error.
fn cached(path: &Path) -> Result<Option<SubjectToken>, Error> {
    let Ok(text) = std::fs::read(path) else { return Ok(None) };
    if serde_json::from_slice::<Value>(&text).is_err() {
        return Ok(None);
    }
    match read(&text, &format!("the output file {}", path.display()))? {
        Response::Token(token, Some(_)) => Ok(Some(token)),
        _ => Ok(None),
    }
}

/// Reads a response (printed or cached). Errors name the field, never a
/// value: the token is beside them.
fn read(output: &[u8], from: &str) -> Result<Response, Error> {
    let json: Value = serde_json::from_slice(output).map_err(|_| Error::auth(format!("{from} is not JSON")))?;
    let object = json.as_object().ok_or_else(|| Error::auth(format!("{from} is not a JSON object")))?;
    let field = |name: &str| object.get(name).filter(|v| !v.is_null());
    let missing = |name: &str, what: &str| Error::auth(format!("{from} has no {what} `{name}`"));
    let version = field("version").and_then(Value::as_u64).ok_or_else(|| missing("version", "whole-number"))?;
    if version > VERSION {
        return Err(Error::auth(format!("{from} is of `version` {version}; only {VERSION} is understood")));
    }
    let success = field("success").and_then(Value::as_bool).ok_or_else(|| missing("success", "true-or-false"))?;
    let string = |name: &str| field(name).and_then(Value::as_str).ok_or_else(|| missing(name, "string"));
    if !success {
        return Ok(Response::Failed { code: string("code")?.to_owned(), message: string("message")?.to_owned() });
    }
    let token_field = match string("token_type")? {
        "urn:ietf:params:oauth:token-type:jwt" | "urn:ietf:params:oauth:token-type:id_token" => "id_token",
        "urn:ietf:params:oauth:token-type:saml2" => "saml_response",
        other => {
            return Err(Error::auth(format!(
                "{from} has a `token_type` of {}, which is not a JWT, ID token or SAML 2 type",
                crate::text::quoted(other)
            )))
        }
    };
    let expiry = match field("expiration_time") {
        None => None,
        Some(value) => Some(value.as_u64().ok_or_else(|| {
            Error::auth(format!("{from} has an `expiration_time` that is not a whole number of seconds"))
        })?),
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if expiry.is_some_and(|at| at <= now) {
        return Ok(Response::Expired);
    }
    let token = string(token_field)?;
    if token.is_empty() {
        return Err(Error::auth(format!("{from} has an empty `{token_field}`")));
    }
    Ok(Response::Token(SubjectToken::new(token.to_owned()), expiry))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(json: &str) -> Result<&'static str, String> {
        match read(json.as_bytes(), "the output") {
            Ok(Response::Token(..)) => Ok("token"),
            Ok(Response::Expired) => Ok("expired"),
            Ok(Response::Failed { .. }) => Ok("failed"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn responses() {
        let jwt = "urn:ietf:params:oauth:token-type:jwt";
        let saml = "urn:ietf:params:oauth:token-type:saml2";
        assert_eq!(
            outcome(&format!(r#"{{"version":1,"success":true,"token_type":"{jwt}","id_token":"t"}}"#)),
            Ok("token")
        );
        assert_eq!(
            outcome(&format!(
                r#"{{"version":1,"success":true,"token_type":"{saml}","saml_response":"s","expiration_time":4102444800}}"#
            )),
            Ok("token")
        );
        assert_eq!(
            outcome(&format!(
                r#"{{"version":1,"success":true,"token_type":"{jwt}","id_token":"t","expiration_time":1}}"#
            )),
            Ok("expired")
        );
        assert_eq!(outcome(r#"{"version":1,"success":false,"code":"401","message":"no"}"#), Ok("failed"));
        for (json, expected) in [
            ("[]", "not a JSON object"),
            (r#"{"success":true}"#, "no whole-number `version`"),
            (r#"{"version":2,"success":true}"#, "only 1 is understood"),
            (r#"{"version":1}"#, "`success`"),
            (r#"{"version":1,"success":false,"code":"x"}"#, "no string `message`"),
            (r#"{"version":1,"success":true,"token_type":"x"}"#, "not a JWT, ID token or SAML 2 type"),
            (&format!(r#"{{"version":1,"success":true,"token_type":"{saml}","id_token":"t"}}"#), "`saml_response`"),
            (
                &format!(
                    r#"{{"version":1,"success":true,"token_type":"{jwt}","id_token":"t","expiration_time":"soon"}}"#
                ),
                "`expiration_time` that is not",
            ),
        ] {
            let message = outcome(json).unwrap_err();
            assert!(message.contains(expected), "{expected:?} not in {message}");
        }
    }
}
