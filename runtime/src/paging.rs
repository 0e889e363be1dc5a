//! Following the page token (`nextPageToken`, or `pageToken` in some APIs)
//! across the pages of a list method.
//!
//! Generated list calls get `pages()` (a stream of whole responses) and,
//! when the response has one obvious list of items, `items()` (a stream of
//! those). Both are plain [`Stream`]s, and also offer `next()`-style async
//! methods, so callers need no extra crate to use them.

use crate::error::Result;
use futures_core::Stream;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A response page that may point at a following page.
pub trait Page {
    /// The token for the next page; absent or empty on the last page.
    fn next_page_token(&self) -> Option<&str>;
}

/// A page whose items can be taken out, for [`Pages::items`].
pub trait PageItems: Page {
    /// The type of one item.
    type Item;
    /// The items of this page, in order.
    fn into_items(self) -> Vec<Self::Item>;
}

type PageFuture<R> = Pin<Box<dyn Future<Output = Result<R>> + Send>>;
type Fetch<R> = Box<dyn FnMut(Option<String>) -> PageFuture<R> + Send>;

/// A stream of pages. The first request uses the call as it was built; each
/// later one repeats it with the request's token (a query parameter or a
/// body field) set to the previous page's token.
/// It ends after the last page, or after the first error.
pub struct Pages<R> {
    fetch: Fetch<R>,
    in_flight: Option<PageFuture<R>>,
    next_token: Option<String>,
    started: bool,
    finished: bool,
}

impl<R: Page + Send + 'static> Pages<R> {
    /// Pages fetched by `fetch`, which is given the token of the page to get
    /// (`None` for the first one).
    pub fn new(fetch: impl FnMut(Option<String>) -> PageFuture<R> + Send + 'static) -> Self {
        Pages { fetch: Box::new(fetch), in_flight: None, next_token: None, started: false, finished: false }
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<R>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// A stream of the items of every page, in order.
    pub fn items(self) -> Items<R>
    where
        R: PageItems,
    {
        Items { pages: self, buffered: VecDeque::new() }
    }
}

impl<R: Page + Send + 'static> Stream for Pages<R> {
    type Item = Result<R>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Every field is Unpin (boxed futures and closures), so the struct is too.
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        if this.in_flight.is_none() {
            if this.started && this.next_token.is_none() {
                this.finished = true;
                return Poll::Ready(None);
            }
            this.started = true;
            this.in_flight = Some((this.fetch)(this.next_token.take()));
        }
        let Some(fut) = this.in_flight.as_mut() else { return Poll::Ready(None) };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.in_flight = None;
                match &result {
                    Ok(page) => {
                        // An empty token, or the same token again, would loop forever.
                        let token = page.next_page_token().filter(|t| !t.is_empty()).map(str::to_string);
                        this.finished = token.is_none();
                        this.next_token = token;
                    }
                    Err(_) => this.finished = true,
                }
                Poll::Ready(Some(result))
            }
        }
    }
}

impl<R> std::fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("started", &self.started)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// A stream of the items of every page; see [`Pages::items`].
pub struct Items<R: PageItems> {
    pages: Pages<R>,
    buffered: VecDeque<R::Item>,
}

impl<R: PageItems + Send + 'static> Items<R> {
    /// The next item, or `None` after the last one.
    pub async fn next_item(&mut self) -> Option<Result<R::Item>>
    where
        R::Item: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<R: PageItems + Send + 'static> Stream for Items<R>
where
    R::Item: Unpin,
{
    type Item = Result<R::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.buffered.extend(page.into_items()),
            }
        }
    }
}

impl<R: PageItems> std::fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).field("buffered", &self.buffered.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct P {
        items: Vec<u32>,
        next: Option<String>,
    }
    impl Page for P {
        fn next_page_token(&self) -> Option<&str> {
            self.next.as_deref()
        }
    }
    impl PageItems for P {
        type Item = u32;
        fn into_items(self) -> Vec<u32> {
            self.items
        }
    }

    fn three_pages(seen: Arc<Mutex<Vec<Option<String>>>>) -> Pages<P> {
        Pages::new(move |token: Option<String>| {
            seen.lock().unwrap().push(token.clone());
            let page = match token.as_deref() {
                None => P { items: vec![1, 2], next: Some("a".into()) },
                Some("a") => P { items: vec![], next: Some("b".into()) },
                _ => P { items: vec![3], next: Some(String::new()) },
            };
            Box::pin(async move { Ok(page) })
        })
    }

    #[tokio::test]
    async fn follows_tokens_until_the_last_page() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut pages = three_pages(seen.clone());
        let mut count = 0;
        while let Some(page) = pages.next_page().await {
            page.unwrap();
            count += 1;
        }
        assert_eq!(count, 3);
        assert_eq!(*seen.lock().unwrap(), vec![None, Some("a".to_string()), Some("b".to_string())]);
        assert!(pages.next_page().await.is_none(), "no request after the end");
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn items_flatten_pages_in_order() {
        let mut items = three_pages(Arc::default()).items();
        let mut got = Vec::new();
        while let Some(item) = items.next_item().await {
            got.push(item.unwrap());
        }
        assert_eq!(got, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let calls = Arc::new(Mutex::new(0));
        let counter = calls.clone();
        let mut pages: Pages<P> = Pages::new(move |_| {
            *counter.lock().unwrap() += 1;
            Box::pin(async { Err(crate::error::Error::transport("down")) })
        });
        assert!(pages.next_page().await.unwrap().is_err());
        assert!(pages.next_page().await.is_none());
        assert_eq!(*calls.lock().unwrap(), 1);
    }
}
