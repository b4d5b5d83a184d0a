//! Authentication and authorization over HTTP: bearer tokens (revoked, scoped), roles, session
//! cookies with their CSRF token, logout and the login rate limit.

mod common;

use common::{PASSWORD, Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE, WWW_AUTHENTICATE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_bad_credentials_are_401() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        for path in ["/tickets", "/me", "/customers", "/audit"] {
            let res = srv.client.get(srv.url(path)).send().await.expect("send");
            assert_eq!(
                res.headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer"),
                "{path}"
            );
            problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
        let before = srv.ticket_count().await;
        let res = srv
            .client
            .post(srv.url("/tickets"))
            .json(&json!({"subject": "anonymous"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        for auth in [
            "Bearer kefu_not_a_real_token",
            "Basic YWRtaW46YWRtaW4=",
            "Bearer",
        ] {
            let res = srv
                .client
                .get(srv.url("/tickets"))
                .header(reqwest::header::AUTHORIZATION, auth)
                .send()
                .await
                .expect("send");
            problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
        let res = srv
            .client
            .get(srv.url("/tickets"))
            .header(COOKIE, "kefu_session=forged")
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        assert_eq!(srv.ticket_count().await, before);
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_are_refused_admin_routes() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let res = srv
            .post(
                &agent.token,
                "/users",
                &json!({"email": "new@example.cn", "name": "新人", "role": "admin"}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = srv.get(&agent.token, "/audit").send().await.expect("send");
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = srv
            .patch(
                &agent.token,
                &format!("/users/{}", agent.id),
                &json!({"role": "admin"}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = srv
            .post(
                &agent.token,
                "/calendars",
                &json!({"name": "x", "definition": {}, "is_default": false}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;

        // The admin may do all of it, and the refused attempt created nobody.
        let users = ok_json(
            srv.get(&srv.admin, "/users").send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        assert!(
            users
                .as_array()
                .expect("array")
                .iter()
                .all(|u| u["email"] != "new@example.cn")
        );
        ok_json(
            srv.get(&srv.admin, "/audit").send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        ok_json(
            srv.post(
                &srv.admin,
                "/users",
                &json!({"email": "new@example.cn", "name": "新人", "role": "agent"}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_are_401_and_scopes_are_enforced() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;

        // A token made through the API works until it is revoked.
        let created = ok_json(
            srv.post(&agent.token, "/tokens", &json!({"name": "ci"}))
                .send()
                .await
                .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        let secret = created["token"].as_str().expect("token").to_owned();
        ok_json(
            srv.get(&secret, "/me").send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        let res = srv
            .client
            .delete(srv.url(&format!("/tokens/{}", id_of(&created))))
            .bearer_auth(&agent.token)
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = srv.get(&secret, "/me").send().await.expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let res = srv
            .post(&secret, "/tickets", &json!({"subject": "after revoke"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;

        // Another user cannot revoke the agent's token, nor learn that it exists.
        let other = srv.user("agent", None).await;
        let res = srv
            .client
            .delete(srv.url(&format!("/tokens/{}", id_of(&created))))
            .bearer_auth(&other.token)
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::NOT_FOUND, "not_found").await;

        // A read-only token reads but does not write.
        let ro = ok_json(
            srv.post(
                &agent.token,
                "/tokens",
                &json!({"name": "read only", "scopes": ["ticket.read"]}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        let ro = ro["token"].as_str().expect("token").to_owned();
        let t = srv.ticket(&agent.token, json!({"subject": "scoped"})).await;
        ok_json(
            srv.get(&ro, "/tickets").send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        let before = srv.ticket_count().await;
        for res in [
            srv.post(&ro, "/tickets", &json!({"subject": "beyond scope"}))
                .send()
                .await
                .expect("send"),
            srv.patch(
                &ro,
                &format!("/tickets/{}", id_of(&t)),
                &json!({"priority": "P1"}),
            )
            .send()
            .await
            .expect("send"),
            srv.get(&ro, "/customers").send().await.expect("send"),
        ] {
            problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_eq!(srv.ticket_count().await, before);

        // Scopes can only narrow what the user holds.
        let p = problem(
            srv.post(
                &agent.token,
                "/tokens",
                &json!({"name": "greedy", "scopes": ["user.manage", "no.such"]}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "scopes[0]", "not_held");
        assert_field(&p, "scopes[1]", "unknown");
        srv.stop();
        db.cleanup().await;
    }
}

/// The value of the `kefu_session` cookie set by a response.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("kefu_session="))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_needs_csrf_token_and_dies_at_logout() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");

        let res = browser
            .post(srv.url("/auth/login"))
            .json(&json!({"email": agent.email, "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        let set_cookie: Vec<String> = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let sid = session_cookie(&res).expect("session cookie set");
        assert!(!sid.is_empty());
        assert!(
            set_cookie
                .iter()
                .any(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")),
            "{set_cookie:?}"
        );
        let body = ok_json(res, StatusCode::OK).await;
        let csrf = body["csrf_token"].as_str().expect("csrf token").to_owned();
        assert_eq!(body["user"]["email"], agent.email.as_str());
        assert!(body["user"].get("password_hash").is_none());

        // Safe methods need only the cookie.
        let me = ok_json(
            browser.get(srv.url("/me")).send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(me["id"], agent.id.to_string());

        // Unsafe methods need the CSRF token too.
        let before = srv.ticket_count().await;
        let res = browser
            .post(srv.url("/tickets"))
            .json(&json!({"subject": "no csrf"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "csrf").await;
        let res = browser
            .post(srv.url("/tickets"))
            .header("X-CSRF-Token", "wrong")
            .json(&json!({"subject": "wrong csrf"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "csrf").await;
        let res = browser
            .post(srv.url("/tickets"))
            .header("X-CSRF-Token", format!("{csrf}x"))
            .json(&json!({"subject": "longer csrf"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "csrf").await;
        assert_eq!(srv.ticket_count().await, before);
        let t = ok_json(
            browser
                .post(srv.url("/tickets"))
                .header("X-CSRF-Token", &csrf)
                .json(&json!({"subject": "with csrf"}))
                .send()
                .await
                .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(t["subject"], "with csrf");
        assert_eq!(srv.ticket_count().await, before + 1);

        // Logout needs the token as well, then the session is gone on the server.
        let res = browser
            .post(srv.url("/auth/logout"))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "csrf").await;
        let res = browser
            .post(srv.url("/auth/logout"))
            .header("X-CSRF-Token", &csrf)
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = browser.get(srv.url("/me")).send().await.expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        // Replaying the old cookie by hand does not bring it back.
        let res = srv
            .client
            .get(srv.url("/me"))
            .header(COOKIE, format!("kefu_session={sid}"))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let res = srv
            .client
            .post(srv.url("/tickets"))
            .header(COOKIE, format!("kefu_session={sid}"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"subject": "after logout"}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_are_rate_limited() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let login = |password: &str| {
            srv.client
                .post(srv.url("/auth/login"))
                .json(&json!({"email": agent.email, "password": password}))
                .send()
        };
        for _ in 0..kefu_app::auth::rate_limit::MAX_FAILURES {
            let res = login("wrong password").await.expect("send");
            problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
        let res = login("wrong password").await.expect("send");
        let retry = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        assert!(retry.is_some_and(|s| s > 0), "Retry-After: {retry:?}");
        problem(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        // Locked out even with the right password, so guessing cannot go on.
        let res = login(PASSWORD).await.expect("send");
        problem(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

        // Unknown accounts and malformed logins are refused the same way.
        let res = srv
            .client
            .post(srv.url("/auth/login"))
            .json(&json!({"email": "nobody@example.cn", "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let p = problem(
            srv.client
                .post(srv.url("/auth/login"))
                .json(&json!({"email": agent.email}))
                .send()
                .await
                .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "password", "required");
        srv.stop();
        db.cleanup().await;
    }
}
