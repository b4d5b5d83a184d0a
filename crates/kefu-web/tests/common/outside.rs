//! Stand-ins for services outside kefu (group-bot webhooks, WeChat's API): a loopback HTTP
//! server that records each request and answers JSON, and a runner for queued jobs.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::Server;

/// One request the stand-in received: its request line (`POST /path?query HTTP/1.1`) and body.
pub type Seen = (String, String);

/// Starts a loopback HTTP server answering each request with `reply(request_line)` as JSON.
/// Returns its base address (`http://127.0.0.1:port`) and the requests it receives.
pub async fn fake_http(reply: fn(&str) -> &'static str) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (line, body) = read_request(&mut sock).await;
                let answer = reply(&line);
                let _ = tx.send((line, body)).await;
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                            answer.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (format!("http://{addr}"), rx)
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Seen {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(h) = text.find("\r\n\r\n") {
            let len = text[..h]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= h + 4 + len {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let line = text.lines().next().unwrap_or("").to_owned();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (line, body)
}

/// The next request the stand-in received (within 5 s).
pub async fn next(rx: &mut mpsc::Receiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a request within 5 s")
        .expect("the stand-in is running")
}

/// Claims the due jobs of `kind` and runs each with `run`, as the worker would; returns what
/// each run gave.
pub async fn run_jobs<T, F, Fut>(srv: &Server, kind: &str, run: F) -> Vec<T>
where
    F: Fn(kefu_jobs::Job) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let jobs = kefu_jobs::claim(
        &srv.app.store,
        "test",
        &[kind],
        Duration::from_secs(60),
        srv.app.now(),
        50,
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    for j in jobs {
        out.push(run(j.clone()).await);
        kefu_jobs::complete(srv.app.store.conn(), &j, srv.app.now())
            .await
            .unwrap();
    }
    out
}
