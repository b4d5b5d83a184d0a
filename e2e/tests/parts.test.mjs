// Spare parts in the browser: an agent reserves more of a part than is in stock on a ticket;
// what is there is reserved, the rest waits on a purchase request and the ticket waits for
// parts; the agent uses the reserved unit; the parts page lists the purchase request.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;

before(async () => {
  browser = await launch();
  api = await Api.admin();
});

after(async () => {
  await browser?.close();
});

test("an agent reserves parts on a ticket, the shortage becomes a purchase request, and uses the reserved unit", async () => {
  const code = marker("FU").toUpperCase();
  const part = await api.post("/parts", { code, name: "定影组件", unit: "套" });
  const wh = await api.post("/warehouses", { code: marker("WH"), name: "上海中心仓" });
  await api.post("/stock/receipts", { part_id: part.id, warehouse_id: wh.id, quantity: 1 });
  const tk = await api.openTicket({ subject: `${marker("pt")} 定影器过热` });

  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${tk.id}`);
  const panel = page.locator("[data-testid=ticket-parts]");
  await panel.waitFor();
  const form = panel.locator("[data-testid=part-reserve]");
  await form.locator("select[name=part_id]").selectOption(part.id);
  await form.locator("select[name=warehouse_id]").selectOption(wh.id);
  await form.locator("input[name=quantity]").fill("3");
  await form.locator("button[type=submit]").click();
  const flash = page.locator("[data-testid=parts-flash]");
  await flash.waitFor();
  assert.match(await flash.textContent(), /PR-\d{6}-\d{6}/);
  await page.locator("[data-testid=part-line][data-status=waiting]").waitFor();
  const reserved = page.locator("[data-testid=part-line][data-status=reserved]");
  assert.equal(await reserved.count(), 1);
  await reserved.locator("[data-testid=part-consume]").click();
  await page.locator("[data-testid=part-line][data-status=consumed]").waitFor();
  assert.match(
    await page.locator("[data-testid=part-line][data-status=consumed]").textContent(),
    new RegExp(t("parts.line.consumed")),
  );

  await page.goto("/parts");
  const row = page.locator(`[data-testid=stock-row][data-part="${code}"]`);
  assert.deepEqual(
    (await row.locator("td").allTextContents()).slice(2).map((s) => s.trim()),
    ["0", "0", "0"],
    "one received, one used: nothing left",
  );
  assert.ok((await page.locator("[data-testid=pr-row][data-status=open]").count()) >= 1);
  assert.deepEqual(page.pageErrors, []);
});

test("on a return ticket an agent issues an RMA, receives the goods and scraps them: the return is done", async () => {
  const tk = await api.openTicket({ subject: `${marker("rma")} 退货：外壳破损`, kind: "return_exchange" });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${tk.id}`);
  const panel = page.locator("[data-testid=ticket-rmas]");
  await panel.waitFor();
  const form = panel.locator("[data-testid=rma-issue]");
  await form.locator("input[name=serial_number]").fill("SN-RMA-0001");
  await form.locator("input[name=reason]").fill("到货外壳破损");
  await form.locator("button[type=submit]").click();
  await page.locator("[data-testid=rma-flash]").waitFor();
  assert.match(await page.locator("[data-testid=rma-flash]").textContent(), /^RMA-\d{6}-\d{6}$/);
  await page.locator("[data-testid=rma-receive]").click();
  await page.locator("[data-testid=rma][data-status=received]").waitFor();
  const inspect = page.locator("[data-testid=rma-inspect]");
  await inspect.locator("select[name=restock]").selectOption("false");
  await inspect.locator("button[type=submit]").click();
  await page.locator("[data-testid=rma][data-status=scrapped]").waitFor();
  assert.match(await page.locator("[data-testid=rma]").textContent(), new RegExp(t("rma.closed")));
  assert.deepEqual(page.pageErrors, []);
});
