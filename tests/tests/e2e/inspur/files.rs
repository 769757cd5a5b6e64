//! Inspur files (specs/inspur-idaas.md §2.10 FILE-01, FILE-02; ops/adr/0015 "Files"): an icon
//! uploaded as a multipart `file` comes back byte for byte with its type, name, entity tag and
//! caching, also with the token in the query as an `<img src>` sends it; files too large or of
//! a type an icon cannot be are refused; another tenant cannot read one; an application names
//! one as its icon; replay rebuilds them.

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::{Method, Response};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MAX: usize = 2 * 1024 * 1024;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = kind.to_vec();
    typed.extend(data);
    out.extend(&typed);
    out.extend(crc32(&typed).to_be_bytes());
    out
}

/// A valid 1×1 RGBA PNG of the colour `rgba`: an uncompressed (stored) zlib stream.
fn png(rgba: [u8; 4]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let header = [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
    out.extend(chunk(b"IHDR", &header));
    let scanline = [0, rgba[0], rgba[1], rgba[2], rgba[3]];
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &scanline {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    let mut zlib = vec![0x78, 0x01, 0x01, 5, 0, 0xFA, 0xFF];
    zlib.extend(scanline);
    zlib.extend(((b << 16) | a).to_be_bytes());
    out.extend(chunk(b"IDAT", &zlib));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn url(server: &TestServer, path: &str) -> String {
    let addr = server.server.as_ref().expect("server running").addr;
    format!("http://{addr}{path}")
}

/// Posts `bytes` as the multipart part `part` named `file_name` (after a text part), at `host`
/// when given; status and envelope.
async fn upload(
    server: &TestServer,
    token: Option<&str>,
    host: Option<&str>,
    (part, file_name): (&str, &str),
    bytes: &[u8],
) -> (u16, Value) {
    let boundary = "----idaas-file-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{file_name}\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let mut request = reqwest::Client::new()
        .post(url(server, "/idaas/v1/file/upload"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET /file/download/{id}` with the token as bearer, at `host` when given, with `headers`.
async fn download(
    server: &TestServer,
    token: &str,
    host: Option<&str>,
    id: &str,
    headers: &[(&str, &str)],
) -> Response {
    let mut request = reqwest::Client::new()
        .get(url(server, &format!("/idaas/v1/file/download/{id}")))
        .bearer_auth(token);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("sent")
}

async fn envelope(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers()[name].to_str().unwrap()
}

async fn an_icon_comes_back_byte_for_byte_and_an_application_names_it(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let icon = png([0x12, 0x34, 0x56, 0xFF]);
    let id = data(&upload(&server, Some(&t), None, ("file", "图标 1.png"), &icon).await);
    let id = id.as_str().unwrap().to_string();
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");

    let got = download(&server, &t, None, &id, &[]).await;
    assert_eq!(got.status(), 200);
    let etag = format!("\"{}\"", sha256_hex(&icon));
    assert_eq!(header(&got, "content-type"), "image/png", "sniffed");
    assert_eq!(
        header(&got, "content-disposition"),
        "inline; filename*=UTF-8''%E5%9B%BE%E6%A0%87%201.png"
    );
    assert_eq!(header(&got, "x-content-type-options"), "nosniff");
    assert_eq!(header(&got, "cache-control"), "private, max-age=86400");
    assert_eq!(header(&got, "etag"), etag);
    assert_eq!(got.bytes().await.unwrap().as_ref(), icon.as_slice());

    // The browser's copy is still good; another tag is not.
    let cached = download(&server, &t, None, &id, &[("if-none-match", &etag)]).await;
    assert_eq!(cached.status(), 304);
    assert_eq!(header(&cached, "etag"), etag);
    assert!(cached.bytes().await.unwrap().is_empty());
    let stale = download(&server, &t, None, &id, &[("if-none-match", "\"0000\"")]).await;
    assert_eq!(stale.status(), 200);

    // An `<img src>` carries the token in the query; without a token there is nothing.
    let path = format!("/idaas/v1/file/download/{id}");
    let in_query = reqwest::Client::new()
        .get(url(&server, &path))
        .query(&[("token", t.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 200);
    assert_eq!(in_query.bytes().await.unwrap().as_ref(), icon.as_slice());
    let anonymous = reqwest::Client::new().get(url(&server, &path)).send().await;
    let (status, answer) = envelope(anonymous.unwrap()).await;
    assert_eq!((status, &answer["code"]), (401, &json!("401")), "{answer}");
    assert_eq!(answer["data"], Value::Null);
    let (status, answer) = upload(&server, None, None, ("file", "a.png"), &icon).await;
    assert_eq!(
        (status, &answer["message"]),
        (401, &json!("token无效或已过期"))
    );

    // Unknown ids are the 404 envelope.
    let unknown = download(&server, &t, None, "20210822992108131159373501004797", &[]).await;
    let (status, answer) = envelope(unknown).await;
    assert_eq!(
        (status, &answer["code"], &answer["message"]),
        (404, &json!("404"), &json!("资源不存在"))
    );

    // The same bytes again are another record; a file part of another name is taken too.
    let again = data(&upload(&server, Some(&t), None, ("image", "b.png"), &icon).await);
    assert_ne!(again, json!(id));
    let named = download(&server, &t, None, again.as_str().unwrap(), &[]).await;
    assert_eq!(
        header(&named, "content-disposition"),
        "inline; filename*=UTF-8''b.png"
    );

    // An application's icon is a file id.
    let app = json!({"appName": "x", "appCode": "x_app", "appIcon": id});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(app)).await);
    assert_eq!(app["appIcon"], json!(id));
    let detail = format!("/idaas/v1/apps/{}", app["id"].as_str().unwrap());
    let detail = data(&call(&server, &t, Method::GET, &detail, None).await);
    assert_eq!(detail["appIcon"], json!(id));

    // Replay is compared by the bytes too.
    let rows = &server.snapshot().await["proj_files"];
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row.contains("content=0x89504e47")));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn files_too_large_or_of_other_types_are_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let refused = |answer: (u16, Value)| (answer.0, answer.1["message"].clone());
    let mut big = png([0, 0, 0, 0]);
    big.resize(MAX + 1, 0);
    let too_large = upload(&server, Some(&t), None, ("file", "big.png"), &big).await;
    assert_eq!(refused(too_large), (400, json!("文件过大,最大 2 MiB")));
    big.pop();
    let limit = upload(&server, Some(&t), None, ("file", "big.png"), &big).await;
    let limit = data(&limit);
    let got = download(&server, &t, None, limit.as_str().unwrap(), &[]).await;
    assert_eq!(
        got.bytes().await.unwrap().len(),
        MAX,
        "exactly 2 MiB is kept"
    );

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    for (name, bytes) in [("x.svg", &svg[..]), ("x.png", b"just some text")] {
        let answer = upload(&server, Some(&t), None, ("file", name), bytes).await;
        assert_eq!(refused(answer), (400, json!("不支持的文件类型")), "{name}");
    }
    let empty = upload(&server, Some(&t), None, ("file", "x.png"), b"").await;
    assert_eq!(refused(empty), (400, json!("文件为空")));
    let not_multipart = reqwest::Client::new()
        .post(url(&server, "/idaas/v1/file/upload"))
        .bearer_auth(&t)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(not_multipart).await.0, 400);

    // A workbook is kept and handed out as an attachment.
    let mut book = Workbook::new();
    book.add_worksheet().write_string(0, 0, "账号").unwrap();
    let workbook = book.save_to_buffer().unwrap();
    let id = data(&upload(&server, Some(&t), None, ("file", "名单.xlsx"), &workbook).await);
    let got = download(&server, &t, None, id.as_str().unwrap(), &[]).await;
    assert_eq!(header(&got, "content-type"), XLSX);
    assert_eq!(
        header(&got, "content-disposition"),
        "attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), workbook.as_slice());

    server.assert_replay_identical().await;
    server.finish().await;
}

async fn another_tenant_cannot_download_a_file(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let icon = png([1, 2, 3, 4]);
    let mine = data(&upload(&server, Some(&t), None, ("file", "mine.png"), &icon).await);
    let mine = mine.as_str().unwrap();

    let other =
        idaas_server::cli::create_tenant(server.store(), "Acme", vec!["acme.test".into()], &[])
            .await
            .unwrap();
    let acme = server
        .client
        .token(&other.client_id, &other.client_secret, Some("acme.test"))
        .await;
    let host = Some("acme.test");
    let (status, answer) = envelope(download(&server, &acme, host, mine, &[]).await).await;
    assert_eq!((status, &answer["message"]), (404, &json!("资源不存在")));
    let theirs = data(&upload(&server, Some(&acme), host, ("file", "t.png"), &icon).await);
    let theirs = theirs.as_str().unwrap();
    assert_eq!(
        download(&server, &acme, host, theirs, &[]).await.status(),
        200
    );
    assert_eq!(download(&server, &t, None, theirs, &[]).await.status(), 404);
    // This tenant's token is not taken at the other's host.
    assert_eq!(download(&server, &t, host, mine, &[]).await.status(), 401);

    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    an_icon_comes_back_byte_for_byte_and_an_application_names_it,
    files_too_large_or_of_other_types_are_refused,
    another_tenant_cannot_download_a_file,
);
