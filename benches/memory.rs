//! Peak memory of the client (its own process; the server is a child process): streaming
//! 100,000 items over 100 pages through `Connection::items`, and downloading 1 GiB to disk
//! through `Response::bytes_stream`. Each case runs in a fresh process so that the peak resident
//! set size (`getrusage`) is that case's alone. Run by `benches/run`:
//!
//! ```text
//! cargo bench --bench memory -- [--pages 100] [--size 1000] [--bytes 1073741824]
//! ```

mod common;

use std::io::Write;
use std::process::Command;

use common::{connection, flag, peak_rss_mib, runtime, server};
use futures_util::TryStreamExt;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Item {
    id: String,
    subject: Option<String>,
    is_read: Option<bool>,
}

fn main() {
    common::serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        return run_case(&args[i + 1]);
    }
    let exe = std::env::current_exe().expect("current executable");
    for (case, result) in [
        ("stream", "peak_rss_stream_100k_items_mib"),
        ("download", "peak_rss_download_1gib_mib"),
    ] {
        let mut command = Command::new(&exe);
        command.args(["--case", case]).args(&args[1..]);
        let out = command.output().expect("run the case");
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        assert!(
            out.status.success(),
            "case {case} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let peak = text
            .lines()
            .find_map(|l| l.strip_prefix("peak "))
            .expect("the case prints its peak");
        println!("RESULT {result}={peak}");
    }
}

fn run_case(case: &str) {
    let (base, _server) = server(None);
    let baseline = peak_rss_mib();
    runtime().block_on(async {
        let conn = connection(&base).await;
        match case {
            "stream" => {
                let (pages, size) = (flag("--pages", 100usize), flag("--size", 1000usize));
                let url = format!("{base}/pages?k=0&of={pages}&size={size}");
                let count = conn
                    .items::<Item, _>(&url, &(), None)
                    .expect("stream")
                    .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                    .await
                    .expect("every page");
                assert_eq!(count, pages * size);
                println!("streamed {count} items over {pages} pages");
            }
            "download" => {
                let bytes = flag("--bytes", 1usize << 30);
                let reply = conn
                    .get(&format!("{base}/download?bytes={bytes}"), &())
                    .await
                    .expect("download");
                let dir = tempfile::tempdir().expect("temp dir");
                let mut file =
                    std::fs::File::create(dir.path().join("download.bin")).expect("file");
                let mut stream = std::pin::pin!(reply.bytes_stream());
                let mut total = 0usize;
                while let Some(chunk) = stream.try_next().await.expect("chunk") {
                    file.write_all(&chunk).expect("write");
                    total += chunk.len();
                }
                assert_eq!(total, bytes);
                println!("downloaded {total} bytes to disk");
            }
            other => panic!("unknown case {other}"),
        }
    });
    println!("start {baseline:.1} MiB");
    println!("peak {:.1}", peak_rss_mib());
}
