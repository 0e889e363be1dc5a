//! The runtime's tests against loopback servers, in one binary so that
//! tokio, wiremock and the runtime are linked once: the public API (client,
//! requests, retries, wire forms, errors), transports and proxies,
//! credentials (`auth_flows`, with the `adc` feature), polling, and what a
//! hostile server or input can and cannot do.

mod common;
#[cfg(feature = "adc")]
mod jwt_check;

#[cfg(feature = "adc")]
mod auth_flows;
mod client;
mod gzip;
mod hostile_server;
mod identification;
mod injection;
mod layers;
mod lro_poller;
mod object;
mod request;
mod retry;
mod rpc;
mod secret_errors;
mod secrets;
mod transport_defaults;
mod transport_proxy;
mod transport_streaming;
mod wire_adapters;
mod wire_values;
