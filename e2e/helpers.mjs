// Shared helpers of the browser tests: the environment crates/kefu/tests/browser.rs passes,
// Debian's Chromium through playwright-core, logins, a small REST client for test data, the UI
// catalogs (so tests name catalog keys, not Chinese strings), and polling assertions.
//
// Environment:
//   KEFU_E2E_BASE_URL         the running `kefu serve --demo`, e.g. http://127.0.0.1:40123
//   KEFU_E2E_ADMIN_EMAIL      the first admin (printed at start-up)
//   KEFU_E2E_ADMIN_PASSWORD
//   KEFU_E2E_DEMO_PASSWORD    password of the demo's staff and portal users
//   KEFU_E2E_PORTAL_EMAILS    comma-separated portal logins of two different demo companies
//   KEFU_E2E_CHROMIUM         browser binary (default /usr/bin/chromium)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === "") {
    throw new Error(`${name} is not set; run the browser tests through \`cargo test -p kefu --test browser\``);
  }
  return v;
}

export const BASE_URL = env("KEFU_E2E_BASE_URL").replace(/\/$/, "");
export const ADMIN = { email: env("KEFU_E2E_ADMIN_EMAIL"), password: env("KEFU_E2E_ADMIN_PASSWORD") };
const DEMO_PASSWORD = env("KEFU_E2E_DEMO_PASSWORD", "kefu-demo-2026");
/** Demo staff (see crates/kefu-app/src/demo.rs). */
export const AGENT = { email: "li.na@kefu.local", name: "李娜", password: DEMO_PASSWORD };
export const SUPERVISOR = { email: "zhang.wei@kefu.local", name: "张伟", password: DEMO_PASSWORD };
export const ENGINEER = { email: "wang.qiang@kefu.local", name: "王强", password: DEMO_PASSWORD };
/** Portal users of two different companies. */
export const PORTAL = env("KEFU_E2E_PORTAL_EMAILS")
  .split(",")
  .map((e) => ({ email: e.trim(), password: DEMO_PASSWORD }));

/** How long a single wait may take; generous, since CI machines are slow. */
export const TIMEOUT = 20_000;

const catalogs = {};
/** The UI text of catalog `key` in `locale`. */
export function t(key, locale = "zh-CN") {
  catalogs[locale] ??= JSON.parse(
    readFileSync(new URL(`../crates/kefu-web/i18n/${locale}.json`, import.meta.url), "utf8"),
  );
  const text = catalogs[locale][key];
  assert.ok(text !== undefined, `no catalog key ${key} in ${locale}`);
  return text;
}

/** Headless Debian Chromium (no sandbox: CI runs as root). */
export function launch() {
  return chromium.launch({
    executablePath: env("KEFU_E2E_CHROMIUM", "/usr/bin/chromium"),
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** A fresh browser context (own cookies) and a page in it. */
export async function newPage(browser) {
  const context = await browser.newContext({ baseURL: BASE_URL, locale: "zh-CN" });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  // A failing page script is a bug even when no assertion looks at it.
  page.pageErrors = [];
  page.on("pageerror", (e) => page.pageErrors.push(e));
  return page;
}

async function submitLogin(page, path, user) {
  await page.goto(path);
  await page.fill("input[name=email]", user.email);
  await page.fill("input[name=password]", user.password);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
}

/** Signs a staff member in at /login and waits until the workspace shows. */
export async function loginStaff(page, user) {
  await submitLogin(page, "/login", user);
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.locator("header.top .me").waitFor();
}

/** Signs a portal user in at /portal/login and waits for the portal. */
export async function loginPortal(page, user) {
  await submitLogin(page, "/portal/login", user);
  await page.waitForURL((u) => u.pathname.startsWith("/portal") && !u.pathname.startsWith("/portal/login"));
}

/** Polls `check` (which throws while unmet) until it passes or `timeout` ms have gone. */
export async function eventually(check, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Trimmed text of every element matching `selector`. */
export async function texts(page, selector) {
  return (await page.locator(selector).allTextContents()).map((s) => s.replace(/\s+/g, " ").trim());
}

/** Clicks the queue's "load more" until every row of the current filter is on the page. */
export async function loadAllRows(page) {
  for (let i = 0; i < 100; i++) {
    const more = page.locator("#more button");
    if ((await more.count()) === 0) return;
    const before = await page.locator("#rows tr[data-number]").count();
    await more.click();
    await eventually(async () => {
      assert.ok((await page.locator("#rows tr[data-number]").count()) > before, "load more added no rows");
    });
  }
  throw new Error("load more never ended");
}

/** A unique marker for subjects and tags, so tests find their own data. */
export function marker(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** The REST API as the first admin, with a bearer token. */
export class Api {
  static async admin() {
    const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    assert.equal(res.status, 200, `admin API login: ${await res.clone().text()}`);
    const { csrf_token: csrf } = await res.json();
    const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const tok = await fetch(`${BASE_URL}/api/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
      body: JSON.stringify({ name: `e2e ${marker("")}` }),
    });
    assert.equal(tok.status, 201, `create API token: ${await tok.clone().text()}`);
    return new Api((await tok.json()).token);
  }

  constructor(token) {
    this.token = token;
  }

  async call(method, path, body) {
    const res = await fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  get(path) {
    return this.call("GET", path);
  }

  post(path, body) {
    return this.call("POST", path, body);
  }

  /** The demo customers. */
  async customers() {
    const c = await this.get("/customers?limit=100");
    return Array.isArray(c) ? c : c.items;
  }

  /** Every ticket matching `query` (a query string), following the cursor. */
  async tickets(query) {
    const items = [];
    let cursor = "";
    do {
      const page = await this.get(`/tickets?${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }

  /** Opens a ticket for the first demo customer unless `fields` says otherwise. */
  async openTicket(fields) {
    const customer_id = fields.customer_id ?? (await this.customers())[0].id;
    return this.post("/tickets", { priority: "P3", kind: "inquiry", customer_id, ...fields });
  }

  /** A user (staff or portal) by email. */
  async user(email) {
    const users = await this.get("/users?limit=100");
    const list = Array.isArray(users) ? users : users.items;
    const u = list.find((x) => x.email === email);
    assert.ok(u, `no user ${email}`);
    return u;
  }
}
