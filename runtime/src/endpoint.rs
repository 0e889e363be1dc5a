//! Endpoints a discovery document lists besides its default root URL.

/// A regional (or otherwise placed) endpoint of an API, from the document's
/// `endpoints` list. Pass its `root_url` to
/// [`ClientBuilder::root_url`](crate::client::ClientBuilder::root_url) to send the
/// client's requests there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Where the endpoint serves, such as `us-east1`; empty when the
    /// document does not say.
    pub location: &'static str,
    /// The endpoint's root URL, as the document gives it.
    pub root_url: &'static str,
}
