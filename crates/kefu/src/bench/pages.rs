//! `kefu-bench pages`: how long the agent pages take to render on an existing (large) database,
//! e.g. one filled by `kefu demo --scale N`. Requests go through the real router over loopback,
//! signed in as a fresh admin with a session cookie; a middleware stamps each response with the
//! server-side time (`Server-Timing`), which is what is reported, next to what the client saw.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use kefu_app::App;
use kefu_app::tickets::ReplyInput;
use kefu_app::users::{NewUser, create_user};
use kefu_store::sea_orm::{ConnectionTrait, Statement};
use tokio::net::TcpListener;
use uuid::Uuid;

use super::api::{pct, scratch_dir};

/// Flags of `kefu-bench pages`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database to read (`sqlite://…` or `postgres://…`); pending migrations are applied.
    #[arg(long)]
    database_url: String,
    /// Measured requests per scenario (after two unmeasured warm-up requests).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Stop a scenario after this many seconds even if --requests is not reached (at least five
    /// requests are always measured).
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// API pages of 50 to follow before rendering the deep queue page.
    #[arg(long, default_value_t = 200)]
    depth: usize,
    /// An existing search index of this database (built by `kefu reindex`, e.g.
    /// `<data_dir>/index`): adds the search scenarios. Without it they are skipped.
    #[arg(long)]
    index_dir: Option<std::path::PathBuf>,
}

/// Timings of one scenario.
#[derive(Default)]
struct Sample {
    server: Vec<Duration>,
    client: Vec<Duration>,
    bytes: usize,
}

/// One response: status, body, server-side time.
struct Answer {
    status: u16,
    body: String,
    server: Duration,
}

struct Bench {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

impl Bench {
    async fn get(&self, path: &str, htmx: bool) -> anyhow::Result<(Answer, Duration)> {
        let t0 = Instant::now();
        let mut req = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie);
        if htmx {
            req = req.header("hx-request", "true");
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let server = resp
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("app;dur="))
            .and_then(|ms| ms.parse::<f64>().ok())
            .map_or(Duration::ZERO, |ms| Duration::from_secs_f64(ms / 1e3));
        let body = resp.text().await?;
        Ok((
            Answer {
                status,
                body,
                server,
            },
            t0.elapsed(),
        ))
    }

    /// Requests `path` `n` times (bounded by `deadline`), failing on anything but 200.
    async fn measure(
        &self,
        paths: &mut dyn FnMut(usize) -> String,
        htmx: bool,
        n: usize,
        limit: Duration,
    ) -> anyhow::Result<Sample> {
        for i in 0..2 {
            self.get(&paths(n + i), htmx).await?;
        }
        let started = Instant::now();
        let mut s = Sample::default();
        for i in 0..n {
            if i >= 5 && started.elapsed() > limit {
                break;
            }
            let path = paths(i);
            let (a, client) = self.get(&path, htmx).await?;
            if a.status != 200 {
                bail!("GET {path} answered {}: {:.300}", a.status, a.body);
            }
            s.server.push(a.server);
            s.client.push(client);
            s.bytes += a.body.len();
        }
        Ok(s)
    }
}

/// Stamps the response with the time the router spent on it.
async fn server_timing(req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let mut res = next.run(req).await;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        res.headers_mut().insert("server-timing", v);
    }
    res
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (mut app, _) = super::api::open_app(Some(&args.database_url), scratch).await?;
    if let Some(dir) = &args.index_dir {
        let mut settings = (*app.settings).clone();
        settings.index_dir = dir.clone();
        app.settings = std::sync::Arc::new(settings);
    }
    let tickets = ticket_count(&app).await?;
    if tickets == 0 {
        bail!("the database holds no tickets; fill it first, e.g. `kefu demo --scale 1000000`");
    }
    let ids = random_ticket_ids(&app, args.requests + 2).await?;
    let (cookie, actor) = admin_session(&app).await?;

    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let router = kefu_web::router(app.clone(), kefu_web::WebSettings::default())
        .layer(axum::middleware::from_fn(server_timing));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
    });
    let b = Bench {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?,
        base: format!("http://{addr}"),
        cookie: format!("kefu_session={cookie}"),
    };
    let backend = args
        .database_url
        .split(':')
        .next()
        .unwrap_or("?")
        .to_owned();
    println!(
        "kefu-bench pages: {backend}, {tickets} tickets, up to {} requests per scenario",
        args.requests
    );
    println!(
        "  {:<50} {:>5} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "scenario (server-side ms)", "n", "p50", "p90", "p99", "max", "client p50", "KiB"
    );
    let result = scenarios(&b, args, &ids, &app, &actor).await;
    let _ = stop_tx.send(());
    server.await??;
    app.store.clone().close().await?;
    result
}

async fn scenarios(
    b: &Bench,
    args: &Args,
    ids: &[Uuid],
    app: &App,
    actor: &kefu_domain::access::Actor,
) -> anyhow::Result<()> {
    let (n, limit) = (args.requests, Duration::from_secs(args.seconds));
    let fixed = |p: &'static str| move |_: usize| p.to_owned();
    let s = b
        .measure(&mut fixed("/tickets?queue=all"), false, n, limit)
        .await?;
    report("GET /tickets?queue=all", &s);
    let s = b
        .measure(
            &mut fixed("/tickets?queue=open&priority=P1"),
            false,
            n,
            limit,
        )
        .await?;
    report("GET /tickets?queue=open&priority=P1", &s);
    // What the queue pages are made of: the counts of every queue, and the listing alone.
    let s = b
        .measure(&mut fixed("/api/v1/tickets/queues"), false, n, limit)
        .await?;
    report("  part: GET /api/v1/tickets/queues", &s);
    // The counts as the queue page loads them, once cached and once right after a ticket
    // changed (an internal note, not timed), which makes them count again.
    let s = b
        .measure(&mut fixed("/tickets/counts"), true, n, limit)
        .await?;
    report("GET /tickets/counts (cached)", &s);
    let mut fresh = Sample::default();
    let started = Instant::now();
    for (i, id) in ids.iter().take(n).enumerate() {
        if i >= 5 && started.elapsed() > limit {
            break;
        }
        let note = ReplyInput {
            body: "kefu-bench: counts after a change".into(),
            attachment_ids: vec![],
        };
        kefu_app::tickets::add_note(app, actor, *id, note).await?;
        let (a, client) = b.get("/tickets/counts", true).await?;
        if a.status != 200 {
            bail!("GET /tickets/counts answered {}: {:.300}", a.status, a.body);
        }
        fresh.server.push(a.server);
        fresh.client.push(client);
        fresh.bytes += a.body.len();
    }
    report("GET /tickets/counts (after a change)", &fresh);
    let s = b
        .measure(
            &mut fixed("/api/v1/tickets?queue=open&priority=P1"),
            false,
            n,
            limit,
        )
        .await?;
    report("  part: GET /api/v1/tickets?queue=open&priority=P1", &s);

    // Follow the API's cursors `depth` pages deep, timing each page on the way.
    let mut walk = Sample::default();
    let mut cursor: Option<String> = None;
    for _ in 0..args.depth {
        let path = match &cursor {
            None => "/api/v1/tickets?limit=50".to_owned(),
            Some(c) => format!("/api/v1/tickets?limit=50&cursor={c}"),
        };
        let (a, client) = b.get(&path, false).await?;
        if a.status != 200 {
            bail!("GET {path} answered {}: {:.300}", a.status, a.body);
        }
        walk.server.push(a.server);
        walk.client.push(client);
        walk.bytes += a.body.len();
        let page: serde_json::Value = serde_json::from_str(&a.body)?;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    report(
        &format!("GET /api/v1/tickets?limit=50 ({} pages)", walk.server.len()),
        &walk,
    );
    let deep = format!(
        "/tickets?queue=all&cursor={}",
        cursor.context("the ticket list ended before the deep page")?
    );
    let s = b
        .measure(&mut |_: usize| deep.clone(), false, n, limit)
        .await?;
    report(
        &format!("GET /tickets?queue=all&cursor=(page {})", args.depth + 1),
        &s,
    );
    let s = b
        .measure(&mut |_: usize| deep.clone(), true, n, limit)
        .await?;
    report("  part: same, htmx rows only (HX-Request)", &s);
    let s = b
        .measure(
            &mut |i: usize| format!("/tickets/{}", ids[i]),
            false,
            n,
            limit,
        )
        .await?;
    report("GET /tickets/{id} (random ids)", &s);
    if args.index_dir.is_some() {
        search_scenarios(b, args, app).await?;
    } else {
        println!("  (search scenarios skipped: no --index-dir)");
    }
    Ok(())
}

/// Searches through `GET /api/v1/search` as the admin (staff audience, internal notes
/// included), 20 hits with snippets, over every ticket of the database.
async fn search_scenarios(b: &Bench, args: &Args, app: &App) -> anyhow::Result<()> {
    let (n, limit) = (args.requests, Duration::from_secs(args.seconds));
    let docs = kefu_app::search::index_of(app).await?.len();
    println!("  search index: {docs} documents");
    let serials = sample_column(app, "assets", "serial_number", 50).await?;
    let customers = sample_column(app, "customers", "id", 50).await?;
    let words: Vec<String> = [
        "报警", "停机", "安装", "备件", "投诉", "发票", "漏油", "精度", "黑屏", "培训",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pairs: Vec<String> = [
        "主轴 异响",
        "安装 调试",
        "备件 价格",
        "通讯 故障",
        "overheating 过热",
        "pressure 压力",
        "工程师 迟到",
        "保修期 延长",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let phrases: Vec<String> = ["\"主轴异响\"", "\"无法启动\"", "\"power outage\""]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let codes: Vec<String> = serials
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i % 2 == 0 {
                s.clone()
            } else {
                format!("sn:{s}")
            }
        })
        .collect();
    let q = |text: &str, extra: &str| {
        let u = reqwest::Url::parse_with_params("http://x/api/v1/search", [("q", text)])
            .expect("a valid URL");
        format!("/api/v1/search?{}{extra}", u.query().unwrap_or_default())
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "search: one common word (报警, 停机, …)",
            words.iter().map(|w| q(w, "")).collect(),
        ),
        (
            "search: two words, all required",
            pairs.iter().map(|w| q(w, "")).collect(),
        ),
        ("search: phrase", phrases.iter().map(|w| q(w, "")).collect()),
        (
            "search: serial code (SN-…, sn:SN-…)",
            codes.iter().map(|w| q(w, "")).collect(),
        ),
        (
            "search: word + status=open,new",
            words.iter().map(|w| q(w, "&status=open,new")).collect(),
        ),
        (
            "search: word + one customer",
            customers
                .iter()
                .enumerate()
                .map(|(i, c)| q(&words[i % words.len()], &format!("&customer_id={c}")))
                .collect(),
        ),
        (
            "search: word, page 5 (offset 80)",
            words.iter().map(|w| q(w, "&offset=80")).collect(),
        ),
    ];
    for (name, paths) in cases {
        if paths.is_empty() {
            continue;
        }
        let s = b
            .measure(
                &mut |i: usize| paths[i % paths.len()].clone(),
                false,
                n,
                limit,
            )
            .await?;
        report(name, &s);
    }
    Ok(())
}

/// Up to `n` values of one column, picked at random.
async fn sample_column(
    app: &App,
    table: &str,
    column: &str,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let db = app.store.conn();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT {column} AS v FROM {table} ORDER BY random() LIMIT {n}"),
        ))
        .await?;
    rows.iter()
        .map(|r| {
            r.try_get::<String>("", "v")
                .or_else(|_| r.try_get::<Uuid>("", "v").map(|u| u.to_string()))
                .map_err(Into::into)
        })
        .collect()
}

fn report(name: &str, s: &Sample) {
    let mut server = s.server.clone();
    let mut client = s.client.clone();
    server.sort_unstable();
    client.sort_unstable();
    println!(
        "  {name:<50} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.2} {:>8.1}",
        server.len(),
        pct(&server, 50.0),
        pct(&server, 90.0),
        pct(&server, 99.0),
        pct(&server, 100.0),
        pct(&client, 50.0),
        s.bytes as f64 / server.len().max(1) as f64 / 1024.0,
    );
}

async fn ticket_count(app: &App) -> anyhow::Result<i64> {
    let db = app.store.conn();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM tickets",
        ))
        .await?
        .context("no count")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// `n` ticket ids picked at random (with repeats when there are fewer tickets).
async fn random_ticket_ids(app: &App, n: usize) -> anyhow::Result<Vec<Uuid>> {
    let db = app.store.conn();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM tickets ORDER BY random() LIMIT {n}"),
        ))
        .await?;
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        bail!("no tickets");
    }
    Ok((0..n).map(|i| ids[i % ids.len()]).collect())
}

/// A fresh admin signed in through the login use case; returns the session cookie value.
async fn admin_session(app: &App) -> anyhow::Result<(String, kefu_domain::access::Actor)> {
    let email = format!("bench-pages-{}@example.com", Uuid::now_v7().simple());
    let created = create_user(
        app,
        None,
        NewUser {
            email: email.clone(),
            name: "Bench".into(),
            role: "admin".into(),
            ..NewUser::default()
        },
    )
    .await?;
    let password = created
        .generated_password
        .context("no generated password")?;
    let session = kefu_app::auth::sessions::login(app, &email, &password, "kefu-bench").await?;
    let actor = kefu_domain::access::Actor {
        user_id: created.id,
        role: kefu_domain::access::Role::Admin,
        customer_id: None,
        scopes: None,
    };
    Ok((session.session_id, actor))
}
