// Web chat: a visitor on another website opens the embedded widget and chats with an agent at
// the chat console; the agent ends it as resolved and the transcript is a ticket. With nobody
// taking chats the widget takes a message instead, which becomes a ticket too.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { AGENT, Api, BASE_URL, eventually, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
let previous = null;
let host;
let hostUrl;

before(async () => {
  browser = await launch();
  api = await Api.admin();
  previous = await api.get("/chat/settings");
  // Not tied to the service calendar, so the test does not depend on the time of day.
  await api.call("PUT", "/chat/settings", {
    enabled: true,
    hours_only: false,
    title: "在线客服",
    greeting: "您好",
    allowed_origins: [],
  });
  // The company's website: another origin than kefu, embedding the widget.
  host = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><html><body><h1>Host site</h1><script src="${BASE_URL}/chat/widget.js" async></script></body></html>`);
  });
  await new Promise((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${host.address().port}/`;
  assert.notEqual(new URL(hostUrl).origin, new URL(BASE_URL).origin);
});

after(async () => {
  if (previous) await api.call("PUT", "/chat/settings", previous).catch(() => {});
  await browser?.close();
  if (host) {
    host.closeAllConnections();
    await new Promise((resolve) => host.close(resolve));
  }
});

/** Collects Content-Security-Policy violations the page (or its frames) report. */
function watchCsp(page) {
  page.cspErrors = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspErrors.push(m.text());
  });
}

/** Sets the agent's availability and waits until the server confirmed it. */
async function setAvailable(agent, on) {
  const box = agent.locator("[data-testid=chat-available]");
  if (on) await box.check();
  else await box.uncheck();
  await eventually(async () => {
    assert.equal(await box.isChecked(), on, "availability was not kept");
    assert.equal(await box.isDisabled(), false, "availability not confirmed yet");
    if (on) {
      const n = Number((await agent.locator("[data-testid=chat-agents-available]").textContent()).trim());
      assert.ok(n >= 1, `agents available: ${n}`);
    }
  });
}

/** The widget's frame as a Frame (for its sessionStorage). */
function embedFrame(page) {
  const f = page.frames().find((x) => x.url().includes("/chat/embed"));
  assert.ok(f, "the chat frame is not loaded");
  return f;
}

/** Sequence numbers of a log's lines, in page order. */
async function seqs(log) {
  return log.locator("[data-seq]").evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
}

test("a visitor chats with an agent through the widget and the chat becomes a ticket; with nobody there, a message does", async () => {
  // The agent opens the console and takes chats.
  const agent = await newPage(browser);
  watchCsp(agent);
  await loginStaff(agent, AGENT);
  await agent.goto("/chat");
  await setAvailable(agent, true);

  // A visitor on the company's website opens the widget.
  const visitor = await newPage(browser);
  watchCsp(visitor);
  await visitor.goto(hostUrl);
  await visitor.click("[data-kefu-chat-launcher]");
  assert.equal(await visitor.locator("[data-kefu-chat-launcher]").textContent(), "在线客服");
  const frame = visitor.frameLocator("[data-kefu-chat-frame]");
  const start = frame.locator("[data-testid=chat-start]");
  await start.waitFor();
  await frame.locator("[data-greeting]", { hasText: "您好" }).waitFor();
  assert.equal((await frame.locator("[data-chat-title]").textContent()).trim(), "在线客服");

  const mark = marker("chat");
  const email = `chat-${marker("v")}@example.test`;
  const opening = `打印机卡纸了 ${mark}`;
  await start.locator("input[name=name]").fill("访客测试");
  await start.locator("input[name=email]").fill(email);
  await start.locator("textarea[name=message]").fill(opening);
  await start.locator("button[type=submit]").click();
  const visitorLog = frame.locator("[data-testid=chat-log]");
  const status = frame.locator("[data-testid=chat-status]");
  await visitorLog.locator("[data-sender=visitor]", { hasText: mark }).waitFor();
  assert.equal((await status.textContent()).trim(), t("chat.status_waiting"));
  const stored = JSON.parse(await embedFrame(visitor).evaluate(() => sessionStorage.getItem("kefu-chat")));
  assert.ok(stored?.session_id && stored?.token, "the chat is not kept for a reload of the frame");

  // The agent sees it waiting (and counted in the tab title), and takes it.
  const waiting = agent.locator(`[data-testid=chat-waiting] [data-id="${stored.session_id}"]`);
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /访客测试/);
  await eventually(async () => assert.match(await agent.title(), /^\(\d+\) /));
  await waiting.locator("[data-testid=chat-accept]").click();
  await agent.locator(`[data-testid=chat-mine] [data-id="${stored.session_id}"]`).waitFor();
  const pane = agent.locator("[data-testid=chat-pane]");
  await pane.getByText(email).waitFor();
  await pane.getByText(hostUrl).waitFor();
  const agentLog = agent.locator("[data-testid=chat-agent-log]");
  await agentLog.locator("[data-sender=visitor]", { hasText: mark }).waitFor();

  // They talk.
  const question = "请问设备型号是什么？";
  await agent.locator("[data-testid=chat-reply]").fill(question);
  await agent.click("[data-testid=chat-reply-send]");
  await agentLog.locator("[data-sender=agent]", { hasText: question }).waitFor();
  await visitorLog.locator("[data-sender=agent]", { hasText: question }).waitFor();
  await eventually(async () =>
    assert.equal((await status.textContent()).trim(), t("chat.status_active").replace("{name}", AGENT.name)),
  );
  const answer = `型号 M7400\n序列号 ${marker("sn")}`;
  const input = frame.locator("[data-testid=chat-input]");
  await input.fill(answer);
  await input.press("Enter"); // Enter sends
  await visitorLog.locator("[data-sender=visitor]", { hasText: "型号 M7400" }).waitFor();
  assert.equal(await input.inputValue(), "");
  await agentLog.locator("[data-sender=visitor]", { hasText: "型号 M7400" }).waitFor();
  // Lines keep their order, each shown once; text keeps its line breaks.
  for (const log of [visitorLog, agentLog]) {
    const s = await seqs(log);
    assert.deepEqual(s, [...new Set(s)].sort((a, b) => a - b), `lines out of order or repeated: ${s}`);
  }
  assert.equal(
    await visitorLog.locator("[data-sender=visitor] .chat-bubble", { hasText: "型号 M7400" }).textContent(),
    answer,
  );

  // Closing the widget only hides it: the running chat is still there when it opens again.
  await frame.locator("[data-chat-close]").click();
  await visitor.locator("[data-kefu-chat-frame]").waitFor({ state: "hidden" });
  await visitor.click("[data-kefu-chat-launcher]");
  await visitorLog.locator("[data-sender=agent]", { hasText: question }).waitFor();

  // The agent ends the chat as resolved; the visitor is told the ticket number.
  await agent.check("[data-testid=chat-resolved]");
  await agent.click("[data-testid=chat-agent-end]");
  await eventually(async () => assert.match((await status.getAttribute("data-ticket-number")) ?? "", /^SR-/));
  const number = await status.getAttribute("data-ticket-number");
  assert.equal((await status.textContent()).trim(), t("chat.status_ended_ticket").replace("{number}", number));
  assert.match(await status.textContent(), /SR-/);
  assert.ok(await input.isDisabled(), "the ended chat still takes messages");
  await frame.locator("[data-testid=chat-new]").waitFor();
  assert.equal(await embedFrame(visitor).evaluate(() => sessionStorage.getItem("kefu-chat")), null);

  // The transcript is a resolved chat ticket of the agent, listed among their recent chats.
  const ticket = await api.get(`/tickets/by-number/${encodeURIComponent(number)}`);
  assert.equal(ticket.channel, "chat");
  assert.ok(ticket.resolved_at, "the chat ticket is not resolved");
  assert.equal(ticket.assignee_id, (await api.user(AGENT.email)).id);
  const history = await api.get(`/tickets/${ticket.id}/history`);
  const created = history.find((e) => e.kind === "created");
  assert.ok(created, "no created event");
  for (const text of [mark, question, "型号 M7400", hostUrl]) {
    assert.ok(String(created.data.body).includes(text), `the transcript lacks ${text}: ${created.data.body}`);
  }
  const recent = agent.locator(`[data-testid=chat-recent] [data-id="${stored.session_id}"]`);
  await recent.waitFor();
  assert.equal((await recent.locator(`a[href="/tickets/${ticket.id}"]`).textContent()).trim(), number);
  assert.equal(await agent.locator(`[data-testid=chat-mine] [data-id="${stored.session_id}"]`).count(), 0);

  // Nobody takes chats: a new visit offers the message form, which needs a way to answer.
  await setAvailable(agent, false);
  await visitor.reload();
  await visitor.click("[data-kefu-chat-launcher]");
  const leave = frame.locator("[data-testid=chat-leave]");
  await leave.waitFor();
  await leave.locator("[data-reason=no_agent]").waitFor();
  assert.equal(await frame.locator("[data-testid=chat-start]").isVisible(), false);
  const leaveMark = marker("leave");
  await leave.locator("input[name=name]").fill("访客测试");
  await leave.locator("textarea[name=message]").fill(`请回电 ${leaveMark}`);
  await leave.locator("button[type=submit]").click();
  const emailError = leave.locator("[data-error-for=email]");
  await emailError.waitFor();
  assert.equal((await emailError.textContent()).trim(), t("chat.err_email_required"));
  await leave.locator("input[name=email]").fill(email);
  await leave.locator("button[type=submit]").click();
  const left = frame.locator("[data-testid=chat-left]");
  await left.waitFor();
  const leftNumber = (await left.locator("[data-left-number]").textContent()).trim();
  assert.match(leftNumber, /^SR-/);
  const message = await api.get(`/tickets/by-number/${encodeURIComponent(leftNumber)}`);
  assert.equal(message.channel, "chat");
  const messageCreated = (await api.get(`/tickets/${message.id}/history`)).find((e) => e.kind === "created");
  assert.ok(String(messageCreated.data.body).includes(leaveMark));

  assert.deepEqual(agent.pageErrors, []);
  assert.deepEqual(visitor.pageErrors, []);
  assert.deepEqual(agent.cspErrors, []);
  assert.deepEqual(visitor.cspErrors, []);
  await visitor.context().close();
  await agent.context().close();
});

test("with the bot first, the widget answers from an article; 'solved' ends there, 'talk to a person' starts the chat with the bot's answer noted", async () => {
  const title = `扫描仪进纸辊打滑怎么办 ${marker("bot")}`;
  const article = await api.post("/kb/articles", {
    title,
    state: "public",
    body: "## 处理步骤\n\n用酒精棉擦拭扫描仪进纸辊，晾干后再扫描。\n\n仍打滑请更换进纸辊。",
  });
  await api.call("PUT", "/chat/settings", {
    enabled: true,
    hours_only: false,
    title: "在线客服",
    greeting: "您好",
    allowed_origins: [],
    bot_first: true,
  });
  await eventually(async () => {
    const hits = await api.get(`/kb/suggest?q=${encodeURIComponent("扫描仪进纸辊打滑")}`);
    assert.equal(hits[0]?.id, article.id);
  });
  const agent = await newPage(browser);
  await loginStaff(agent, AGENT);
  await agent.goto("/chat");
  await setAvailable(agent, true);

  const visitor = await newPage(browser);
  await visitor.goto("/chat/embed");
  const start = visitor.locator("[data-testid=chat-start]");
  await start.waitFor();
  const question = "扫描仪进纸辊打滑怎么办";
  await start.locator("textarea[name=message]").fill(question);
  await start.locator("button[type=submit]").click();
  const bot = visitor.locator("[data-testid=chat-bot]");
  await bot.waitFor();
  assert.equal((await bot.locator("[data-testid=chat-bot-link]").textContent()).trim(), title);
  assert.match(await bot.locator("[data-bot-quote]").textContent(), /酒精棉/);
  await bot.locator("[data-testid=chat-bot-solved]").click();
  await visitor.locator("[data-testid=chat-bot-done]").waitFor();
  assert.equal(await visitor.evaluate(() => sessionStorage.getItem("kefu-chat")), null, "no chat was started");

  // Another question: the bot answers, the visitor still wants a person.
  await visitor.locator("[data-testid=chat-bot-again]").click();
  await start.waitFor();
  await start.locator("textarea[name=message]").fill(question);
  await start.locator("button[type=submit]").click();
  await bot.waitFor();
  await bot.locator("[data-testid=chat-bot-human]").click();
  const log = visitor.locator("[data-testid=chat-log]");
  await log.locator("[data-sender=visitor]", { hasText: question }).waitFor();
  const stored = JSON.parse(await visitor.evaluate(() => sessionStorage.getItem("kefu-chat")));
  assert.ok(stored?.session_id);
  const lines = await api.get(`/chats/${stored.session_id}/messages`);
  assert.ok(
    lines.some((l) => l.sender === "system" && l.body.includes(title)),
    `the agent is not told what the bot answered: ${JSON.stringify(lines)}`,
  );
  await setAvailable(agent, false);
  assert.deepEqual(visitor.pageErrors, []);
});
