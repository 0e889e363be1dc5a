use discogen_media_server::MediaServer;

use discogen_tests::fixtures::media_and_paging as api;

// ANCHOR: resumable
async fn upload_big(
    client: &api::Client,
    local: &std::path::Path,
) -> Result<api::model::File, Box<dyn std::error::Error>> {
    let file = tokio::fs::File::open(local).await?;
    let metadata = api::model::File { name: Some("big.bin".into()), ..Default::default() };
    let created = client
        .files()
        .create("buckets/b1", metadata)
        .upload_resumable(file, "application/octet-stream")
        .chunk_size(256 * 1024) // a multiple of 256 KiB; 8 MiB by default
        .on_progress(|sent, total| eprintln!("{sent} of {total:?} bytes"))
        .await?;
    Ok(created)
}
// ANCHOR_END: resumable

#[tokio::test]
async fn a_file_goes_up_in_chunks() {
    let dir = std::env::temp_dir().join(format!("discogen-guide-resumable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // The project's media server (media-server/) speaks the resumable protocol on loopback.
    let server = MediaServer::start(dir.join("server")).await.unwrap();
    let data: Vec<u8> = (0..600 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("big.bin");
    std::fs::write(&local, &data).unwrap();
    let client = api::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    let created = upload_big(&client, &local).await.unwrap();
    assert_eq!(created.name.as_deref(), Some("big.bin"));
    assert!(std::fs::read(server.object_path("big.bin")).unwrap() == data, "the stored object is the file");
    assert_eq!(server.seen().content_ranges.len(), 3, "600 KiB in chunks of 256 KiB");
    std::fs::remove_dir_all(&dir).unwrap();
}
