//! Integration tests of the runtime's public API, in one binary so the
//! dependencies are linked once.

mod client;
mod gzip;
mod object;
mod request;
mod retry;
mod rpc;
mod secrets;
mod wire_adapters;
mod wire_values;
