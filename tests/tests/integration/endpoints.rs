//! The endpoints a document lists, as typed constants a client can be
//! pointed at.

use discogen_tests::fixtures::endpoints;

#[test]
fn listed_endpoints_keep_their_locations_and_urls_in_document_order() {
    let listed: Vec<(&str, &str)> = endpoints::ENDPOINTS.iter().map(|e| (e.location, e.root_url)).collect();
    assert_eq!(
        listed,
        [
            ("north-1", "https://placed.north-1.example.com/"),
            ("south-2", "https://placed.south-2.example.com/"),
            ("", "https://placed.elsewhere.example.com/"),
        ]
    );
}

#[test]
fn a_client_built_on_an_endpoint_sends_its_requests_there() {
    let south = endpoints::ENDPOINTS.iter().find(|e| e.location == "south-2").expect("listed");
    let client = endpoints::Client::builder().root_url(south.root_url).build().expect("client builds");

    let request = client.spots().get("s1").build_request().expect("request builds");

    assert_eq!(request.uri().to_string(), "https://placed.south-2.example.com/v1/spots/s1");
}
