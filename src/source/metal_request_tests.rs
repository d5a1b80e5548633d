//! Request URLs are built from path segments and query pairs, so an id or a
//! description can never change which endpoint a request reaches.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

fn client(url: &str) -> MetalClient {
    MetalClient::new(&MetalConfig {
        url: url.into(),
        auth: MetalAuth::None,
    })
    .unwrap()
}

const HOSTILE: &str = "a?b#c/../d";
const HOSTILE_ENCODED: &str = "a%3Fb%23c%2F..%2Fd";

#[test]
fn an_id_is_one_percent_encoded_path_segment() {
    for base in ["http://h:1/metal", "http://h:1/metal/"] {
        let url = client(base)
            .machine_endpoint(HOSTILE, &["power", "on"])
            .unwrap();
        assert_eq!(
            url.as_str(),
            format!("http://h:1/metal/v1/machine/{HOSTILE_ENCODED}/power/on")
        );
        assert_eq!(url.query(), None);
        assert_eq!(url.fragment(), None);
    }
    let url = client("https://h").endpoint(&["size"]);
    assert_eq!(url.as_str(), "https://h/v1/size");
    let url = client("https://h").machine_endpoint("%2e%2e", &[]).unwrap();
    assert_eq!(url.path(), "/v1/machine/%252e%252e");
}

#[test]
fn ids_the_url_crate_would_drop_or_that_name_the_collection_are_refused() {
    let c = client("http://h/metal");
    for id in ["", ".", ".."] {
        assert!(
            matches!(
                c.machine_endpoint(id, &["state"]),
                Err(MetalError::Config(_))
            ),
            "{id:?}"
        );
    }
}

#[test]
fn a_base_url_must_be_http_without_query_or_fragment() {
    for bad in [
        "ftp://h/metal",
        "h/metal",
        "https://h/metal?x=1",
        "https://h/metal#f",
    ] {
        let err = MetalClient::new(&MetalConfig {
            url: bad.into(),
            auth: MetalAuth::None,
        })
        .expect_err(bad);
        assert!(matches!(err, MetalError::Config(_)), "{bad}: {err}");
    }
}

/// Accepts one request, hands its request line back, answers 500.
async fn one_request_server() -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = sock.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before the headers ended");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let n = sock.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before the body ended");
            buf.extend_from_slice(&chunk[..n]);
        }
        let _ = tx.send(head.lines().next().unwrap_or_default().to_string());
        let body = r#"{"message":"test"}"#;
        let resp = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        sock.write_all(resp.as_bytes()).await.unwrap();
    });
    (format!("http://{addr}/metal"), rx)
}

#[tokio::test]
async fn a_hostile_id_and_description_reach_the_intended_endpoint() {
    let (url, seen) = one_request_server().await;
    let err = client(&url)
        .identify(HOSTILE, true, "x y&z=1#f")
        .await
        .unwrap_err();
    assert!(matches!(err, MetalError::Http { status: 500, .. }), "{err}");
    assert_eq!(
        seen.await.unwrap(),
        format!(
            "POST /metal/v1/machine/{HOSTILE_ENCODED}/power/chassis-identify-led-on\
             ?description=x+y%26z%3D1%23f HTTP/1.1"
        )
    );
    let (url, seen) = one_request_server().await;
    let err = client(&url)
        .set_state(HOSTILE, "LOCKED", "d")
        .await
        .unwrap_err();
    assert!(matches!(err, MetalError::Http { status: 500, .. }), "{err}");
    assert_eq!(
        seen.await.unwrap(),
        format!("POST /metal/v1/machine/{HOSTILE_ENCODED}/state HTTP/1.1")
    );
}
