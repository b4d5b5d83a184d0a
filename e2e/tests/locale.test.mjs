// The language switch: Chinese by default, English on request, remembered per user.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SUPERVISOR, launch, loginStaff, newPage, t } from "../helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The visible UI strings that must follow the language. */
async function strings(page) {
  return {
    nav: (await page.locator("header.top nav a[href='/tickets?queue=mine']").textContent()).trim(),
    heading: (await page.locator("aside.queues h2").textContent()).trim(),
    all: (await page.locator("aside.queues a[data-queue=all]").textContent()).replace(/\d+/g, "").trim(),
    lang: await page.locator("html").getAttribute("lang"),
  };
}

test("switching to English changes the UI strings, stays across pages, and switching back restores Chinese", async () => {
  const page = await newPage(browser);
  await loginStaff(page, SUPERVISOR);
  await page.goto("/tickets?queue=all");
  assert.deepEqual(await strings(page), {
    nav: t("nav.tickets"),
    heading: t("queue.title"),
    all: t("queue.all"),
    lang: "zh-CN",
  });
  const toggle = page.locator("[data-testid=switch-locale]");
  assert.equal((await toggle.textContent()).trim(), "English");

  await Promise.all([page.waitForEvent("load"), toggle.click()]);
  // Back on the same page, now in English.
  assert.match(page.url(), /\/tickets\?queue=all$/);
  assert.deepEqual(await strings(page), {
    nav: t("nav.tickets", "en"),
    heading: t("queue.title", "en"),
    all: t("queue.all", "en"),
    lang: "en",
  });
  assert.equal((await toggle.textContent()).trim(), "中文");
  // Other pages and a new session follow the stored choice.
  await page.goto("/tickets/new");
  assert.equal((await page.locator("main h1").textContent()).trim(), t("new.title", "en"));
  const again = await newPage(browser);
  await loginStaff(again, SUPERVISOR);
  assert.equal((await again.locator("aside.queues h2").textContent()).trim(), t("queue.title", "en"));
  await again.context().close();

  await page.goto("/tickets?queue=all");
  await Promise.all([page.waitForEvent("load"), page.locator("[data-testid=switch-locale]").click()]);
  assert.deepEqual(await strings(page), {
    nav: t("nav.tickets"),
    heading: t("queue.title"),
    all: t("queue.all"),
    lang: "zh-CN",
  });
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("the login page offers both languages before signing in", async () => {
  const page = await newPage(browser);
  await page.goto("/login?lang=en");
  assert.equal((await page.locator("button[type=submit]").textContent()).trim(), t("login.submit", "en"));
  await page.click(".lang a:text('中文')");
  await page.waitForURL(/lang=zh-CN/);
  assert.equal((await page.locator("button[type=submit]").textContent()).trim(), t("login.submit"));
  await page.context().close();
});
