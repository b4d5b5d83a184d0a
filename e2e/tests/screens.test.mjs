// Screenshots of the main pages (desktop and phone width) saved under e2e/artifacts/ as test
// artifacts, and a check that no page breaks its own Content-Security-Policy or throws.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";

import { ADMIN, Api, PORTAL, launch, loginPortal, loginStaff, newPage } from "../helpers.mjs";

const OUT = new URL("../artifacts/", import.meta.url);
let browser;
let api;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

/** Collects CSP violations and script errors of a page. */
function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

async function shoot(page, name, path, width) {
  await page.setViewportSize({ width, height: width < 500 ? 800 : 900 });
  const res = await page.goto(path);
  assert.ok(res.ok(), `${path}: ${res.status()}`);
  assert.ok(res.headers()["content-security-policy"]?.includes("script-src 'self'"), `${path} has a CSP`);
  await page.screenshot({ path: new URL(`${name}-${width}.png`, OUT).pathname, fullPage: true });
}

test("main staff pages render within their CSP on desktop and phone widths", async () => {
  const tk = (await api.tickets("queue=all"))[0];
  const customer = (await api.customers())[0];
  const page = await newPage(browser);
  const problems = watch(page);
  await loginStaff(page, ADMIN);
  for (const width of [1280, 390]) {
    await shoot(page, "queue", "/tickets?queue=all", width);
    await shoot(page, "ticket", `/tickets/${tk.id}`, width);
    await shoot(page, "new-ticket", "/tickets/new", width);
    await shoot(page, "customer", `/customers/${customer.id}`, width);
    await shoot(page, "admin-sla", "/admin/sla", width);
    await shoot(page, "admin-workflow", "/admin/workflow", width);
  }
  // The lookup and the timeline poll work under the CSP.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/tickets/new");
  await page.fill("[data-testid=lookup]", "SN");
  await page.locator("#lookup-results .hit").first().waitFor();
  assert.deepEqual(problems, []);
});

test("portal pages render within their CSP", async () => {
  const page = await newPage(browser);
  const problems = watch(page);
  await loginPortal(page, PORTAL[0]);
  for (const width of [1280, 390]) {
    await shoot(page, "portal", "/portal", width);
    await shoot(page, "portal-new", "/portal/tickets/new", width);
  }
  assert.deepEqual(problems, []);
});

test("the portal form keeps what was typed and shows the error next to the field", async () => {
  const page = await newPage(browser);
  await loginPortal(page, PORTAL[0]);
  await page.goto("/portal/tickets/new");
  await page.evaluate(() => document.querySelectorAll("[required]").forEach((e) => e.removeAttribute("required")));
  await page.fill("textarea[name=description]", "只写了描述，没有标题");
  await page.click("form.new-ticket button[type=submit]");
  await page.locator("form.new-ticket .field-error").first().waitFor();
  assert.equal(await page.inputValue("textarea[name=description]"), "只写了描述，没有标题");
});
