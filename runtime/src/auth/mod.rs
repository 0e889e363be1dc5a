//! Credentials: OAuth 2 access tokens, API keys, and where they come from.
//!
//! A [`TokenProvider`] is asked for a token before each request; it is
//! expected to cache and refresh on its own. API keys travel in the `key`
//! query parameter. Nothing in this module prints a secret: `Debug` shows
//! `****` in place of every token and key.
//!
//! With the `adc` feature, `ServiceAccount`, `AuthorizedUser`,
//! `MetadataServer`, `InstalledApp`, `DeviceCode`, `Impersonated`,
//! `ExternalAccount` and `ExternalAccountAuthorizedUser` fetch tokens over
//! the runtime's own transport, and `ApplicationDefault` picks one of the
//! file-based ones or the metadata server as Google's libraries do. (Plain
//! names: the types do not exist without the feature, so links would break
//! the default build's docs.)

#[cfg(feature = "adc")]
mod adc;
#[cfg(feature = "adc")]
mod authorized_user;
#[cfg(feature = "adc")]
mod cache;
mod credentials;
#[cfg(feature = "adc")]
mod endpoint;
#[cfg(feature = "adc")]
mod external_account;
#[cfg(feature = "adc")]
mod id_token;
#[cfg(feature = "adc")]
mod impersonated;
#[cfg(feature = "adc")]
mod installed_app;
#[cfg(feature = "adc")]
mod key_file;
#[cfg(feature = "adc")]
mod metadata;
#[cfg(feature = "adc")]
mod service_account;
mod token;
#[cfg(feature = "adc")]
mod token_store;

#[cfg(feature = "adc")]
pub use adc::ApplicationDefault;
#[cfg(feature = "adc")]
pub use authorized_user::AuthorizedUser;
pub use credentials::Credentials;
#[cfg(feature = "adc")]
pub use external_account::{ExternalAccount, ExternalAccountAuthorizedUser};
#[cfg(feature = "adc")]
pub use id_token::IdTokenProvider;
#[cfg(feature = "adc")]
pub use impersonated::Impersonated;
#[cfg(feature = "adc")]
pub use installed_app::{DeviceCode, InstalledApp, Opener, Prompt};
#[cfg(feature = "adc")]
pub use metadata::{MetadataServer, METADATA_HOST_VARIABLE};
#[cfg(feature = "adc")]
pub use service_account::ServiceAccount;
pub use token::{AccessToken, StaticToken, TokenFuture, TokenProvider};
