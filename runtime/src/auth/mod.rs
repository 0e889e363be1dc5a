//! Credentials: OAuth 2 access tokens, API keys, and where they come from.
//!
//! A [`TokenProvider`] is asked for a token before each request; it is
//! expected to cache and refresh on its own. API keys travel in the `key`
//! query parameter. Nothing in this module prints a secret: `Debug` shows
//! `****` in place of every token and key.

#[cfg(feature = "adc")]
mod adc;
mod credentials;
mod token;

#[cfg(feature = "adc")]
pub use adc::ApplicationDefault;
pub use credentials::Credentials;
pub use token::{AccessToken, StaticToken, TokenFuture, TokenProvider};
