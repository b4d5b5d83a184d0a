//! Shared by the HTTP integration tests: boots the real router on a random loopback port over
//! a fresh database, creates users with API tokens, and checks problem documents.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;

use kefu_app::auth::tokens::{NewToken, create_token};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppSettings};
use kefu_domain::access::{Actor, Role};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;
use kefu_web::WebSettings;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub mod outside;

/// Password given to every user the tests create.
pub const PASSWORD: &str = "correct horse battery";

/// A running server over one test database.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The application behind the server, for setup and for counting rows.
    pub app: App,
    /// A plain client (no cookie store).
    pub client: Client,
    /// The first admin's API token.
    pub admin: String,
    handle: JoinHandle<()>,
}

/// A user created for a test, with an unscoped API token.
pub struct TestUser {
    /// Id.
    pub id: Uuid,
    /// Login email.
    pub email: String,
    /// API token.
    pub token: String,
}

impl Server {
    /// Starts the router with default web settings.
    pub async fn start(db: &TestDb) -> Server {
        Server::start_with(db, WebSettings::default()).await
    }

    /// Starts the router with the given web settings, after creating the built-in defaults and
    /// an API token for the first admin.
    pub async fn start_with(db: &TestDb, settings: WebSettings) -> Server {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        let first = kefu_app::bootstrap::ensure_defaults(&app)
            .await
            .expect("defaults")
            .expect("first admin");
        let admin_model = kefu_store::entity::user::Entity::find()
            .filter(kefu_store::entity::user::Column::Email.eq(first.email))
            .one(app.store.conn())
            .await
            .expect("read admin")
            .expect("admin exists");
        let admin = token_for(&app, &kefu_app::auth::actor_for(&admin_model)).await;

        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let router = kefu_web::router(app.clone(), settings);
        let handle = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        Server {
            base: format!("http://{addr}"),
            app,
            client: Client::new(),
            admin,
            handle,
        }
    }

    /// Stops the server; call before `TestDb::cleanup`.
    pub fn stop(self) {
        self.handle.abort();
    }

    /// The absolute URL of an API path (`/tickets` → `http://…/api/v1/tickets`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// GET with a bearer token.
    pub fn get(&self, token: &str, path: &str) -> RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(token)
    }

    /// POST a JSON body with a bearer token.
    pub fn post(&self, token: &str, path: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    /// PATCH a JSON body with a bearer token.
    pub fn patch(&self, token: &str, path: &str, body: &Value) -> RequestBuilder {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    /// Creates a user directly through the use case (role code, optional company) with
    /// [`PASSWORD`] and an unscoped API token.
    pub async fn user(&self, role: &str, customer_id: Option<Uuid>) -> TestUser {
        let email = format!("{role}-{}@example.cn", Uuid::now_v7().simple());
        let u = create_user(
            &self.app,
            None,
            NewUser {
                email: email.clone(),
                name: format!("测试 {role}"),
                role: role.into(),
                password: Some(PASSWORD.into()),
                customer_id,
                ..Default::default()
            },
        )
        .await
        .expect("create user");
        let actor = Actor {
            user_id: u.id,
            role: Role::parse(role).expect("role"),
            customer_id,
            scopes: None,
        };
        TestUser {
            id: u.id,
            email,
            token: token_for(&self.app, &actor).await,
        }
    }

    /// Creates a customer through the API as admin; returns its id.
    pub async fn customer(&self, name: &str) -> Uuid {
        let v = ok_json(
            self.post(&self.admin, "/customers", &json!({ "name": name }))
                .send()
                .await
                .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        id_of(&v)
    }

    /// Opens a ticket through the API; returns its view.
    pub async fn ticket(&self, token: &str, body: Value) -> Value {
        ok_json(
            self.post(token, "/tickets", &body)
                .send()
                .await
                .expect("send"),
            StatusCode::CREATED,
        )
        .await
    }

    /// Number of tickets in the database (merged ones excluded), read directly.
    pub async fn ticket_count(&self) -> u64 {
        kefu_store::count_tickets(self.app.store.conn(), &Default::default())
            .await
            .expect("count tickets")
    }
}

async fn token_for(app: &App, actor: &Actor) -> String {
    create_token(
        app,
        actor,
        NewToken {
            name: "tests".into(),
            scopes: vec![],
            expires_in_days: None,
        },
    )
    .await
    .expect("create token")
    .token
}

/// The `id` field of a JSON object as a UUID.
pub fn id_of(v: &Value) -> Uuid {
    v["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_else(|| panic!("no id in {v}"))
}

/// Asserts the status and returns the JSON body.
pub async fn ok_json(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts that the response is a problem document with this status and code; returns it.
pub async fn problem(res: Response, status: StatusCode, code: &str) -> Value {
    let got = res.status();
    let ct = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    assert_eq!(
        ct, "application/problem+json",
        "content type of a {status} problem; body: {text}"
    );
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("problem not JSON ({e}): {text}"));
    assert_eq!(v["status"], status.as_u16(), "status member: {v}");
    assert_eq!(v["code"], code, "code member: {v}");
    assert!(v["type"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
    assert!(v["title"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
    v
}

/// Asserts that the problem names `field` with `code` among its field errors.
pub fn assert_field(problem: &Value, field: &str, code: &str) {
    let errors = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors in {problem}"));
    assert!(
        errors.iter().any(|e| e["field"] == field
            && e["code"] == code
            && e["message"].as_str().is_some_and(|m| !m.is_empty())),
        "expected field error {field}/{code} in {problem}"
    );
}

/// A browser-like client signed in as `email` (session cookie kept, redirects not followed).
#[allow(dead_code)]
pub async fn session(srv: &Server, email: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = c
        .post(format!("{}/api/v1/auth/login", srv.base))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    c
}
