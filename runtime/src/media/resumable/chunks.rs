//! The arithmetic of a resumable upload: which bytes go in the next chunk,
//! and what to keep until the server confirms it has them.
//!
//! The source is read once, in order. Bytes sent but not yet confirmed stay
//! in memory, because a server may keep fewer bytes than it was sent and
//! the rest must go again; everything before the confirmed offset is
//! dropped. Memory therefore stays near two chunks whatever the size of
//! the media.

use bytes::{Buf as _, Bytes, BytesMut};

use crate::body::BodyStream;
use crate::error::{Error, Result};

/// One request's worth of media.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Offset of the first byte in the media.
    pub(crate) start: u64,
    pub(crate) data: Bytes,
    /// The media's size, when known; always known for the last chunk.
    pub(crate) total: Option<u64>,
}

pub(crate) struct Chunker {
    source: BodyStream,
    /// Offset of the first byte held: everything before it is confirmed.
    base: u64,
    /// Bytes from `base` that went out in the last chunk, unconfirmed.
    sent: Bytes,
    /// Bytes after `sent`, read but not yet sent.
    unsent: BytesMut,
    ended: bool,
    chunk_size: usize,
    total: Option<u64>,
}

impl Chunker {
    /// Reads `source`, whose first byte is at `offset` in the media and
    /// which holds `length` bytes if known.
    pub(crate) fn new(source: BodyStream, offset: u64, length: Option<u64>, chunk_size: usize) -> Self {
        Self {
            source,
            base: offset,
            sent: Bytes::new(),
            unsent: BytesMut::new(),
            ended: false,
            chunk_size,
            total: length.and_then(|n| n.checked_add(offset)),
        }
    }

    /// The offset up to which the server has confirmed the media.
    pub(crate) fn confirmed(&self) -> u64 {
        self.base
    }

    /// The media's size, once known.
    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// Reads until more than a chunk is held or the source ends: one byte
    /// beyond the chunk tells whether the chunk is the last.
    async fn fill(&mut self) -> Result<()> {
        while !self.ended && self.sent.len() + self.unsent.len() <= self.chunk_size {
            match self.source.next_chunk().await {
                Some(bytes) => self.unsent.extend_from_slice(&bytes?),
                None => {
                    self.ended = true;
                    let held = self.base + (self.sent.len() + self.unsent.len()) as u64;
                    if self.total.is_some_and(|t| t != held) {
                        return Err(Error::io(format!(
                            "the upload source ended after {held} bytes, but the media was declared as {} bytes",
                            self.total.unwrap_or(0)
                        )));
                    }
                    self.total = Some(held);
                }
            }
        }
        Ok(())
    }

    /// The next chunk to send: up to a chunk's worth from the confirmed
    /// offset. Empty (with the total) when every byte is confirmed but the
    /// server has not yet finished the upload.
    pub(crate) async fn next(&mut self) -> Result<Chunk> {
        self.unsend();
        self.fill().await?;
        let n = self.chunk_size.min(self.unsent.len());
        self.sent = self.unsent.split_to(n).freeze();
        Ok(Chunk { start: self.base, data: self.sent.clone(), total: self.total })
    }

    /// Puts the bytes of the last chunk back in front of the unsent ones.
    fn unsend(&mut self) {
        if self.sent.is_empty() {
            return;
        }
        let mut all = BytesMut::with_capacity(self.sent.len() + self.unsent.len());
        all.extend_from_slice(&self.sent);
        all.extend_from_slice(&self.unsent);
        self.unsent = all;
        self.sent = Bytes::new();
    }

    /// Records that the server holds the first `persisted` bytes of the
    /// media: drops them, and keeps the rest of the last chunk to send
    /// again. When nothing is in flight (a status query at the start of a
    /// resumed upload), bytes beyond those held are read from the source and
    /// dropped, since the server already has them.
    pub(crate) async fn confirm(&mut self, persisted: u64) -> Result<()> {
        if persisted < self.base {
            return Err(Error::decode(format!(
                "the upload server holds {persisted} bytes, fewer than the {} it had confirmed or the source starts at; the upload cannot carry on from this source",
                self.base
            )));
        }
        let in_flight = self.sent.len() as u64;
        if in_flight > 0 && persisted > self.base + in_flight {
            return Err(Error::decode(format!(
                "the upload server claims {persisted} bytes, but only {} were sent",
                self.base + in_flight
            )));
        }
        self.unsend();
        let mut skip = persisted - self.base;
        while skip > 0 {
            if self.unsent.is_empty() {
                match self.source.next_chunk().await {
                    Some(bytes) => self.unsent.extend_from_slice(&bytes?),
                    None => {
                        return Err(Error::io(format!(
                            "the upload source ended {skip} bytes before the {persisted} bytes the server already holds"
                        )))
                    }
                }
            }
            let n = skip.min(self.unsent.len() as u64);
            self.unsent.advance(n as usize);
            self.base += n;
            skip -= n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;

    /// A source that yields `data` in pieces of `piece` bytes, length unknown.
    fn source(data: &[u8], piece: usize) -> BodyStream {
        let pieces: Vec<std::result::Result<Bytes, std::io::Error>> =
            data.chunks(piece).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        Body::from_stream(Iter(pieces.into_iter())).into_stream()
    }

    struct Iter<I>(I);
    impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<I::Item>> {
            std::task::Poll::Ready(self.get_mut().0.next())
        }
    }

    fn media(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    #[tokio::test]
    async fn chunks_follow_what_the_server_keeps() {
        let data = media(25);
        let mut c = Chunker::new(source(&data, 3), 0, None, 10);
        let first = c.next().await.unwrap();
        assert_eq!((first.start, first.data.len(), first.total), (0, 10, None));
        // The server kept only 4 of the 10 bytes: the next chunk starts there.
        c.confirm(4).await.unwrap();
        let second = c.next().await.unwrap();
        assert_eq!((second.start, &second.data[..]), (4, &data[4..14]));
        c.confirm(14).await.unwrap();
        // 11 bytes remain, more than a chunk: the total is not known yet.
        let third = c.next().await.unwrap();
        assert_eq!((third.start, third.data.len(), third.total), (14, 10, None));
        c.confirm(24).await.unwrap();
        let last = c.next().await.unwrap();
        assert_eq!((last.start, &last.data[..], last.total), (24, &data[24..], Some(25)));
        c.confirm(25).await.unwrap();
        let finish = c.next().await.unwrap();
        assert_eq!((finish.start, finish.data.len(), finish.total), (25, 0, Some(25)));
    }

    #[tokio::test]
    async fn a_source_ending_on_a_chunk_boundary_makes_that_chunk_the_last() {
        let data = media(20);
        let mut c = Chunker::new(source(&data, 20), 0, None, 10);
        assert_eq!(c.next().await.unwrap().total, None);
        c.confirm(10).await.unwrap();
        let last = c.next().await.unwrap();
        assert_eq!((last.start, last.data.len(), last.total), (10, 10, Some(20)));
    }

    #[tokio::test]
    async fn an_unconfirmed_chunk_is_sent_again_whole() {
        let data = media(30);
        let mut c = Chunker::new(source(&data, 7), 0, Some(30), 10);
        let first = c.next().await.unwrap();
        assert_eq!(first.total, Some(30), "a declared length is announced from the start");
        // A failure, then a status query saying nothing arrived.
        c.confirm(0).await.unwrap();
        assert_eq!(c.next().await.unwrap(), first);
    }

    #[tokio::test]
    async fn a_resumed_source_skips_what_the_server_holds() {
        let data = media(30);
        let mut c = Chunker::new(source(&data[5..], 4), 5, Some(25), 10);
        c.confirm(12).await.unwrap();
        let chunk = c.next().await.unwrap();
        assert_eq!((chunk.start, &chunk.data[..], chunk.total), (12, &data[12..22], Some(30)));
    }

    #[tokio::test]
    async fn impossible_confirmations_are_errors() {
        let data = media(30);
        let mut c = Chunker::new(source(&data, 30), 5, None, 10);
        assert!(c.confirm(4).await.is_err(), "before the source's start");
        let mut c = Chunker::new(source(&data, 30), 0, None, 10);
        c.next().await.unwrap();
        assert!(c.confirm(11).await.is_err(), "more than was sent");
        let mut c = Chunker::new(source(&data, 30), 0, None, 10);
        assert!(c.confirm(31).await.is_err(), "more than the source holds");
        let mut c = Chunker::new(source(&data, 30), 0, Some(40), 10);
        c.confirm(0).await.unwrap();
        c.next().await.unwrap();
        c.confirm(10).await.unwrap();
        c.next().await.unwrap();
        c.confirm(20).await.unwrap();
        let err = c.next().await.expect_err("shorter than declared");
        assert!(err.to_string().contains("declared as 40"), "{err}");
    }
}
