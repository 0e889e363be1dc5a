// The `shared-enums` fixture (tests/fixtures/shared-enums.json) lists two
// likelihoods, `UNLIKELY` and `LIKELY`; a server may send more.
use discogen_tests::fixtures::shared_enums::model::Likelihood;

// ANCHOR: match
fn describe(likelihood: &Likelihood) -> String {
    match likelihood {
        Likelihood::Likely => "yes".into(),
        Likelihood::Unlikely => "no".into(),
        // Any other value: one added in a later revision, kept as sent.
        other => format!("unsure ({other})"),
    }
}
// ANCHOR_END: match

#[test]
fn unknown_values_survive_and_compare_by_name() {
    // ANCHOR: unknown
    let later = Likelihood::from("VERY_LIKELY"); // not listed by this revision
    assert_eq!(later.as_str(), "VERY_LIKELY");
    assert_eq!(describe(&later), "unsure (VERY_LIKELY)");
    assert_eq!(Likelihood::from("LIKELY"), Likelihood::Likely);
    // ANCHOR_END: unknown
    assert_eq!(describe(&Likelihood::Unlikely), "no");
}
