// The agent's queues: counts, switching queues, filters, "load more" and bulk actions.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, ENGINEER, eventually, launch, loadAllRows, loginStaff, marker, newPage, t, texts } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

/** The count shown next to queue `q`. */
async function shownCount(page, q) {
  return Number((await page.locator(`aside.queues a[data-queue=${q}] .count`).textContent()).trim());
}

test("every queue shows a count, and clicking a queue shows exactly its tickets", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  const queues = await page.locator("aside.queues a[data-queue]").evaluateAll((as) => as.map((a) => a.dataset.queue));
  assert.deepEqual(queues, ["mine", "unassigned", "team", "sla_warning", "breached", "pending_parts", "open", "all"]);
  for (const q of queues) {
    assert.ok(Number.isInteger(await shownCount(page, q)), `no count for ${q}`);
  }
  assert.ok((await shownCount(page, "all")) >= 10, "the demo's tickets are not counted");

  for (const [q, check] of [
    ["unassigned", async (row) => assert.equal((await row.locator("td").nth(6).textContent()).trim(), t("ticket.unassigned"))],
    ["pending_parts", async (row) => assert.match(await row.locator(".status").getAttribute("class"), /st-pending_parts/)],
    ["mine", async (row) => assert.equal((await row.locator("td").nth(6).textContent()).trim(), AGENT.name)],
    ["all", async () => {}],
  ]) {
    await page.click(`aside.queues a[data-queue=${q}]`);
    await page.waitForURL(new RegExp(`queue=${q}$`));
    assert.equal(await page.locator("aside.queues a.active").getAttribute("data-queue"), q);
    await loadAllRows(page);
    const rows = page.locator("#rows tr[data-number]");
    assert.equal(await rows.count(), await shownCount(page, q), `rows of ${q} differ from its count`);
    assert.ok((await rows.count()) > 0, `the demo has tickets in ${q}`);
    for (const row of await rows.all()) await check(row);
  }
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("the priority filter keeps only tickets of that priority", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.click("aside.queues a[data-queue=all]");
  await page.waitForURL(/queue=all$/);
  await page.selectOption("form.filters select[name=priority]", "P1");
  await page.click("form.filters button[type=submit]");
  await page.waitForURL(/priority=P1/);
  assert.ok(page.url().includes("queue=all"), "the filter dropped the queue");
  await loadAllRows(page);
  const prios = await texts(page, "#rows tr[data-number] .prio");
  assert.ok(prios.length >= 2, `the demo has two P1 tickets, got ${prios.length}`);
  assert.deepEqual(new Set(prios), new Set(["P1"]));
  // The filter stays selected on the result page.
  assert.equal(await page.inputValue("form.filters select[name=priority]"), "P1");
  await page.context().close();
});

test("'load more' brings the rows past the first 50", async () => {
  const tag = marker("page");
  const subject = `${tag} 分页测试`;
  const total = 57;
  for (let i = 0; i < total; i++) {
    await api.openTicket({ subject: `${subject} ${i}`, tags: [tag] });
  }
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets?queue=all&tag=${tag}`);
  const rows = page.locator("#rows tr[data-number]");
  assert.equal(await rows.count(), 50);
  const more = page.locator("#more button");
  assert.equal((await more.textContent()).trim(), t("queue.more"));
  await more.click();
  await eventually(async () => assert.equal(await rows.count(), total));
  assert.equal(await page.locator("#more").count(), 0, "a 'load more' after the last page");
  // No row twice, and newest first across the page boundary.
  const numbers = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.number));
  assert.equal(new Set(numbers).size, total);
  assert.deepEqual(numbers, [...numbers].sort().reverse());
  // The filter still applies to the appended rows.
  const subjects = await texts(page, "#rows tr[data-number] td:nth-child(3) a");
  assert.ok(subjects.every((s) => s.startsWith(subject)), "load more ignored the filter");
  await page.context().close();
});

test("bulk assign puts two checked tickets on one person", async () => {
  const tag = marker("bulk");
  const a = await api.openTicket({ subject: `${tag} 批量一`, tags: [tag] });
  const b = await api.openTicket({ subject: `${tag} 批量二`, tags: [tag] });
  const c = await api.openTicket({ subject: `${tag} 不选`, tags: [tag] });
  const engineer = await api.user(ENGINEER.email);

  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets?queue=all&tag=${tag}`);
  assert.equal(await page.locator("#rows tr[data-number]").count(), 3);
  for (const t of [a, b]) await page.check(`#rows tr[data-number="${t.number}"] input[name=ids]`);
  await page.selectOption("#bulk select[name=action]", "assign");
  await page.selectOption("#bulk select[data-bulk-for=assign]", engineer.id);
  await page.click("#bulk button[type=submit]");

  const assignee = (n) => page.locator(`#rows tr[data-number="${n}"] td:nth-child(7)`);
  await eventually(async () => {
    assert.equal((await assignee(a.number).textContent()).trim(), ENGINEER.name);
    assert.equal((await assignee(b.number).textContent()).trim(), ENGINEER.name);
  });
  assert.notEqual((await assignee(c.number).textContent()).trim(), ENGINEER.name);
  assert.equal((await api.get(`/tickets/${a.id}`)).assignee_id, engineer.id);
  assert.equal((await api.get(`/tickets/${c.id}`)).assignee_id ?? null, (c.assignee_id ?? null));
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("a bulk status change that fails for one ticket says which, and applies to the rest", async () => {
  const tag = marker("bulkfail");
  const working = await api.openTicket({ subject: `${tag} 处理中`, tags: [tag] });
  await api.post(`/tickets/${working.id}/transition`, { to: "open" });
  // A new ticket cannot wait for parts before someone works on it.
  const fresh = await api.openTicket({ subject: `${tag} 新建`, tags: [tag] });

  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets?queue=all&tag=${tag}`);
  await page.check("[data-check-all]");
  await page.selectOption("#bulk select[name=action]", "status");
  await page.selectOption("#bulk select[data-bulk-for=status]", "pending_parts");
  await page.click("#bulk button[type=submit]");

  const flash = page.locator("#flash .flash");
  await flash.waitFor();
  assert.match(await flash.textContent(), new RegExp(t("bulk.done").replace("{n}", "1")));
  const failures = await texts(page, "#flash .flash li");
  assert.equal(failures.length, 1, `failures listed: ${failures}`);
  assert.match(failures[0], new RegExp(fresh.number));
  assert.equal((await api.get(`/tickets/${working.id}`)).status, "pending_parts");
  assert.equal((await api.get(`/tickets/${fresh.id}`)).status, "new");
  await page.context().close();
});

test("bulk action with nothing checked says so", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto("/tickets?queue=all");
  await page.click("#bulk button[type=submit]");
  await page.locator("#flash .flash.error").getByText(t("bulk.none_selected")).waitFor();
  await page.context().close();
});
