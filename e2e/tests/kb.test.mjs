// Knowledge base in the browser: a visitor reads a public article in the help center and
// votes; the bot answers from it; a customer writing a portal ticket is offered the article,
// opens it (a deflection), files anyway, and the deflection is counted as filed; an agent on
// a similar ticket sees the article suggested and inserts it into the reply with one click.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ADMIN, AGENT, Api, PORTAL, eventually, launch, loginPortal, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
let article;
const title = "硒鼓漏粉怎么处理";

before(async () => {
  browser = await launch();
  api = await Api.admin();
  article = await api.post("/kb/articles", {
    title,
    state: "public",
    tags: ["硒鼓", marker("kb")],
    body: "## 处理步骤\n\n关闭电源，取出硒鼓，用干布擦净漏出的碳粉。\n\n更换新硒鼓后打印清洁页。",
  });
  // The index follows the outbox within a second or so.
  await eventually(async () => {
    const hits = await api.get(`/kb/suggest?q=${encodeURIComponent("硒鼓漏粉")}`);
    assert.equal(hits[0]?.id, article.id);
  });
});

after(async () => {
  await browser?.close();
});

test("a visitor reads an article in the help center, votes, and asks the bot", async () => {
  const page = await newPage(browser);
  await page.goto("/help");
  assert.equal((await page.locator("main h1").textContent()).trim(), t("help.title"));
  await page.fill("form.help-search input[name=q]", "硒鼓漏粉");
  await Promise.all([page.waitForURL(/\/help\?q=/), page.click("form.help-search button")]);
  await page.click(`.kb-hits a[href='/help/articles/${article.id}']`);
  await page.waitForURL(new RegExp(`/help/articles/${article.id}$`));
  assert.equal((await page.locator("article h1").textContent()).trim(), title);
  assert.equal((await page.locator(".kb-body h2").textContent()).trim(), "处理步骤");
  await page.click(".vote button[data-helpful=true]");
  await eventually(async () => assert.equal((await page.locator(".vote .yes").textContent()).trim(), "1"));
  assert.ok(await page.locator(".vote-thanks").isVisible());

  await page.goto("/help");
  await page.fill("#bot-form input[name=question]", "硒鼓漏粉了怎么办");
  await page.click("#bot-form button");
  await eventually(async () => assert.equal(await page.locator("#bot-answer").getAttribute("data-decision"), "answer"));
  assert.match(await page.locator("#bot-answer .bot-text").textContent(), new RegExp(title));
  assert.deepEqual(page.pageErrors, []);
});

test("a customer is offered the article while writing, opens it, files anyway: counted", async () => {
  const page = await newPage(browser);
  await page.goto("/portal/login");
  await loginPortal(page, PORTAL[0]);
  await page.goto("/portal/tickets/new");
  await page.fill("input[name=subject]", "硒鼓漏粉");
  const box = page.locator("[data-testid=kb-suggestions]");
  await box.waitFor({ state: "visible" });
  const link = box.locator(`a[href^='/help/articles/${article.id}']`);
  const [tab] = await Promise.all([page.context().waitForEvent("page"), link.click()]);
  await tab.waitForLoadState("load");
  await tab.locator("#solved").waitFor();
  const subject = `${marker("kb")} 硒鼓漏粉`;
  await page.fill("input[name=subject]", subject);
  await page.fill("textarea[name=description]", "换了硒鼓还是漏粉");
  await Promise.all([page.waitForURL(/\/portal\/tickets\/[0-9a-f-]{36}$/), page.click("form.new-ticket button[type=submit]")]);
  const stats = await api.get("/kb/deflections");
  const mine = stats.find((s) => s.article_id === article.id);
  assert.ok(mine, JSON.stringify(stats));
  assert.equal(mine.filed, 1);
  assert.deepEqual(page.pageErrors, []);
});

test("an agent sees the article suggested on a similar ticket and inserts it", async () => {
  const ticket = await api.openTicket({ subject: `${marker("kb")} 打印机硒鼓漏粉`, description: "硒鼓漏粉" });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${ticket.id}`);
  const panel = page.locator("[data-testid=ticket-suggestions]");
  await eventually(async () => {
    await page.reload();
    await panel.waitFor();
    assert.ok((await panel.locator(`a[href='/help/articles/${article.id}']`).count()) === 1);
  });
  await panel.locator("li", { hasText: title }).locator("button[data-insert]").click();
  const body = await page.locator("form.reply textarea[name=body]").inputValue();
  assert.match(body, /取出硒鼓/);
  assert.deepEqual(page.pageErrors, []);
});

test("staff search tickets and articles from the search page; an admin adds a dictionary word and rebuilds the index", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.click("[data-testid=nav-search]");
  await page.waitForURL(/\/search$/);
  await page.fill("[data-testid=search-form] input[name=q]", "硒鼓漏粉");
  await Promise.all([page.waitForURL(/\/search\?q=/), page.click("[data-testid=search-form] button")]);
  const hit = page.locator(`[data-testid=search-hit] a[href='/kb/${article.id}']`);
  assert.equal((await hit.textContent()).trim(), title);
  assert.ok((await page.locator("[data-testid=search-hit] .snippet b").count()) >= 1, "matched words are highlighted");

  await page.goto("/admin/search");
  const words = page.locator("[data-testid=dictionary-words]");
  const word = "硒鼓漏粉";
  const before = await words.inputValue();
  await words.fill(`${before}\n${word}\n主控 板`.trim());
  await Promise.all([page.waitForURL(/\/admin\/search$/), page.click("[data-testid=dictionary-form] button[type=submit]")]);
  assert.match(await page.locator("[data-testid=dictionary-errors]").textContent(), /主控 板/);
  await words.fill(`${before}\n${word}`.trim());
  await Promise.all([page.waitForURL(/\/admin\/search$/), page.click("[data-testid=dictionary-form] button[type=submit]")]);
  await page.locator("[data-testid=dictionary-pending]").waitFor();
  await page.click("[data-testid=rebuild]");
  await page.locator("[data-testid=dictionary-in-effect]").waitFor({ timeout: 60_000 });
  await page.locator("[data-testid=rebuild-finished]").waitFor();
  // Put the dictionary back as it was and rebuild, for the other tests.
  await words.fill(before);
  await Promise.all([page.waitForURL(/\/admin\/search$/), page.click("[data-testid=dictionary-form] button[type=submit]")]);
  if (await page.locator("[data-testid=dictionary-pending]").count()) {
    await page.click("[data-testid=rebuild]");
    await page.locator("[data-testid=dictionary-in-effect]").waitFor({ timeout: 60_000 });
  }
  assert.deepEqual(page.pageErrors, []);
});

test("an editor writes an article, uploads an image, inserts it into the text and publishes", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/kb/new");
  const title = `进纸器更换步骤 ${marker("ed")}`;
  await page.fill("[data-testid=kb-form] input[name=title]", title);
  await page.fill("#kb-body", "## 步骤\n\n1. 关闭电源。\n");
  await page.selectOption("[data-testid=kb-form] select[name=state]", "public");
  await Promise.all([page.waitForURL(/\/kb\/[0-9a-f-]{36}\?saved=1$/), page.click("[data-testid=kb-form] button[type=submit]")]);
  const id = new URL(page.url()).pathname.split("/").pop();

  // A 1×1 PNG.
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  await page.setInputFiles("[data-testid=kb-upload-file]", { name: "进纸器.png", mimeType: "image/png", buffer: png });
  await page.click("#kb-upload button[type=submit]");
  const insert = page.locator("#kb-files [data-insert-file]", { hasText: t("kb.insert_link") }).last();
  await insert.waitFor();
  await page.locator("#kb-body").evaluate((el) => { el.focus(); el.selectionStart = el.selectionEnd = el.value.length; });
  await insert.click();
  const body = await page.locator("#kb-body").inputValue();
  assert.match(body, /!\[进纸器\.png\]\(\/kb\/files\/[0-9a-f-]{36}\)$/);
  await Promise.all([page.waitForURL(/\?saved=1$/), page.click("[data-testid=kb-form] button[type=submit]")]);
  assert.equal(await page.locator("[data-testid=kb-versions] li").count(), 2);

  // The help center shows the image to anyone.
  const visitor = await newPage(browser);
  await visitor.goto(`/help/articles/${id}`);
  const img = visitor.locator(".kb-body img");
  await img.waitFor();
  assert.equal(await img.evaluate((el) => el.complete && el.naturalWidth), 1, "the image loads");
  assert.deepEqual(page.pageErrors, []);
});
