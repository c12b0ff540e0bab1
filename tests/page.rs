//! The verification page in a real browser: headless Chromium driven through
//! WebDriver (ChromeDriver) as a person would use it, against the page a real
//! `probity demo` network serves. It opens a QR link, uploads a QR image, pastes JSON
//! (once with the keyboard alone), reads each verdict and what is shown with it,
//! downloads a signed receipt and checks it with `probity verify`, and takes
//! screenshots at 360 and 1280 pixels wide into `target/screenshots/`.
//!
//! The test fails, never skips, when Chromium or ChromeDriver is missing: CI installs
//! the Debian packages `chromium` and `chromium-driver`.

use super::demo::start_demo;
use super::util::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long the page may take to show a verdict.
const VERDICT_WAIT: Duration = Duration::from_secs(20);

/// A program on the PATH, or the message that says how to install it.
fn program(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed: the browser test needs Chromium and ChromeDriver \
                 (Debian: apt-get install chromium chromium-driver)"
            )
        })
}

/// ChromeDriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(program("chromedriver"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let ready = eventually(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(ready, "chromedriver did not listen on port {port}");
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A headless Chromium session that saves downloads into `downloads`.
async fn browser(driver: &Driver, downloads: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": program("chromium"),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--window-size=1280,1000"],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
            },
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session with Chromium")
}

/// The verdict the page shows, waiting for it; with the result's whole text.
async fn shown_verdict(client: &Client) -> (String, String) {
    let verdict = client
        .wait()
        .at_most(VERDICT_WAIT)
        .for_element(Locator::Css("#verdict[data-verdict]"))
        .await
        .expect("the page shows a verdict");
    let word = verdict
        .attr("data-verdict")
        .await
        .unwrap()
        .unwrap_or_default();
    let text = client
        .find(Locator::Id("result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (word, text)
}

/// Opens the page afresh and verifies `json` by pasting it.
async fn paste(client: &Client, page: &str, json: &str) -> (String, String) {
    client.goto(&format!("{page}/")).await.unwrap();
    client
        .find(Locator::Id("text"))
        .await
        .unwrap()
        .send_keys(json)
        .await
        .unwrap();
    client
        .find(Locator::Id("text-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shown_verdict(client).await
}

async fn screenshot(client: &Client, width: u32, name: &str) -> PathBuf {
    client.set_window_size(width, 1000).await.unwrap();
    // The page's own height, so the screenshot shows the whole result.
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(1000)
        .clamp(600, 4000) as u32;
    client.set_window_size(width, height + 140).await.unwrap();
    let png = client.screenshot().await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, png).unwrap();
    path
}

/// WebDriver's codes for the Tab and Enter keys.
const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';

/// Presses and releases one key on the keyboard, wherever the focus is.
async fn press(client: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(actions).await.unwrap();
}

fn read(out: &Path, stem: &str) -> Value {
    serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.json"))).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_verifies_by_link_upload_and_paste_and_files_a_signed_receipt() {
    let driver = start_driver();
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let demo = start_demo(dir.path());
    let (page, out) = (demo.page.clone(), demo.out.clone());
    let client = browser(&driver, &downloads).await;

    // 1. A phone camera opens the QR code's link: the page verifies the fragment.
    let valid = read(&out, "ip-certificate-valid");
    let link = probity_spec::compact::to_url(&page, &valid).unwrap();
    client.goto(&link).await.unwrap();
    let (verdict, text) = shown_verdict(&client).await;
    assert_eq!(verdict, "VALID", "{text}");
    let holder = valid["credentialSubject"]["name"].as_str().unwrap();
    let ip_number = valid["credentialSubject"]["ipNumber"].as_str().unwrap();
    for shown in [
        holder,
        ip_number,
        "What the credential shows (verified)",
        "Signature (passed)",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
    assert!(text.contains("confirmed with its issuer"), "{text}");
    assert!(
        client.find(Locator::Id("unverified")).await.is_err(),
        "a valid credential is not shown under the warning"
    );
    let wide = screenshot(&client, 1280, "page-1280.png").await;
    let narrow = screenshot(&client, 360, "page-360.png").await;
    // At 360 px nothing is wider than the screen.
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        json!(false),
        "the page scrolls sideways at 360 px"
    );
    println!("screenshots: {} and {}", wide.display(), narrow.display());

    // The signed receipt, downloaded as a person would, checks with the CLI.
    client
        .find(Locator::Id("receipt-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut receipt = None;
    let found = eventually(Duration::from_secs(20), || {
        receipt = std::fs::read_dir(&downloads)
            .unwrap()
            .flatten()
            .find_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name.starts_with("probity-receipt-") && name.ends_with(".json")).then(|| e.path())
            });
        receipt.is_some()
    });
    assert!(found, "no receipt was downloaded");
    let receipt = receipt.unwrap();
    // The blocking HTTP client runs off the async threads.
    let base = page.clone();
    let (_, node) = tokio::task::spawn_blocking(move || get_text(&base, "/api/v1/node", None))
        .await
        .unwrap();
    let node: Value = serde_json::from_str(&node).unwrap();
    let node_did = node["did"].as_str().unwrap();
    let o = run(
        dir.path(),
        &[
            "verify",
            receipt.to_str().unwrap(),
            "--trust-verifier",
            node_did,
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 0);
    let said = stdout(&o);
    assert!(said.contains("Recorded verdict: VALID"), "{said}");
    assert!(said.contains(holder), "{said}");

    // 2. A photo or screenshot of the code, uploaded.
    client.goto(&format!("{page}/")).await.unwrap();
    let qr = out.join("ip-certificate-revoked-qr.png");
    client
        .find(Locator::Id("image"))
        .await
        .unwrap()
        .send_keys(qr.to_str().unwrap())
        .await
        .unwrap();
    client
        .find(Locator::Id("image-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (verdict, text) = shown_verdict(&client).await;
    assert_eq!(verdict, "REVOKED", "{text}");
    assert!(text.contains("did not verify"), "{text}");

    // 3. Pasted JSON: each story's verdict, and its claims only under the warning.
    for (stem, promised) in [
        ("ip-certificate-suspended", "SUSPENDED"),
        ("ip-certificate-tampered", "INVALID_SIGNATURE"),
        ("ip-certificate-not-accredited", "NOT_ACCREDITED"),
    ] {
        let credential = read(&out, stem);
        let (verdict, text) = paste(&client, &page, &credential.to_string()).await;
        assert_eq!(verdict, promised, "{stem}: {text}");
        let warning = client
            .find(Locator::Id("unverified"))
            .await
            .unwrap_or_else(|_| panic!("{stem}: its claims are not under the warning"))
            .text()
            .await
            .unwrap();
        assert!(warning.contains("do not rely on it"), "{stem}: {warning}");
        let name = credential["credentialSubject"]["name"].as_str().unwrap();
        assert!(warning.contains(name), "{stem}: {warning}");
        assert!(
            !text.contains("(verified)"),
            "{stem}: nothing is called verified: {text}"
        );
    }

    // A credential that expires within 60 days is flagged: signed with the certifying
    // body's own key at the demo's start, valid for 30 days.
    let body_key = out.join("nodes/certifying-body/keys/key-1.json");
    let soon = super::issue_ip(
        dir.path(),
        &body_key,
        &[
            ("--created", Some(AT)),
            ("--valid-until", Some("2026-07-01T00:00:00Z")),
        ],
        "expiring.json",
    );
    let soon = std::fs::read_to_string(soon).unwrap();
    let (verdict, text) = paste(&client, &page, &soon).await;
    assert_eq!(verdict, "VALID", "{text}");
    let flag = client
        .find(Locator::Id("expiry-flag"))
        .await
        .expect("an expiry within 60 days is flagged")
        .text()
        .await
        .unwrap();
    assert!(flag.contains("Expires soon: on 2026-07-01"), "{flag}");

    // 4. The keyboard alone: Tab to the text box, type, Tab to its button, Enter.
    client.goto(&format!("{page}/")).await.unwrap();
    let mut reached = false;
    for _ in 0..8 {
        let active = client.active_element().await.unwrap();
        if active.attr("id").await.unwrap().as_deref() == Some("text") {
            reached = true;
            break;
        }
        press(&client, TAB).await;
    }
    assert!(reached, "Tab never reached the text box");
    let attestation = read(&out, "skill-attestation");
    let active = client.active_element().await.unwrap();
    active.send_keys(&attestation.to_string()).await.unwrap();
    press(&client, TAB).await;
    let button = client.active_element().await.unwrap();
    assert_eq!(
        button.attr("id").await.unwrap().as_deref(),
        Some("text-button")
    );
    press(&client, ENTER).await;
    let (verdict, text) = shown_verdict(&client).await;
    assert_eq!(verdict, "VALID", "{text}");
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("verdict"),
        "focus moves to the verdict, for screen readers and keyboards"
    );

    client.close().await.unwrap();
    drop(demo);
}
