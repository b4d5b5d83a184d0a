// Importing in the browser: an admin uploads a parts CSV whose name column has a header kefu
// does not know; the dry run lists the problem and writes nothing; mapping the column by hand
// makes the dry run pass; the import creates the parts.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ADMIN, Api, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;

before(async () => {
  browser = await launch();
  api = await Api.admin();
});

after(async () => {
  await browser?.close();
});

test("an admin maps an unknown column, dry-runs and imports parts", async () => {
  const a = marker("IMP").toUpperCase();
  const b = marker("IMQ").toUpperCase();
  const csv = `料号,品名,单位,价格\n${a},皮带,条,12.5\n${b},轴承,个,30\n`;
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/import");
  const upload = page.locator("[data-testid=import-upload]");
  await upload.locator("select[name=kind]").selectOption("parts");
  await upload.locator("input[type=file]").setInputFiles({
    name: "parts.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8"),
  });
  await upload.locator("button[type=submit]").click();
  const step = page.locator("[data-testid=import-step]");
  await step.waitFor();
  const fields = step.locator("[data-testid=import-field]");
  assert.deepEqual(
    await fields.evaluateAll((s) => s.map((x) => x.value)),
    ["code", "", "unit", "unit_price"],
    "known headers are recognised, 品名 is not",
  );
  await step.locator("[data-testid=import-dry]").click();
  await page.locator("[data-testid=import-problem]").first().waitFor();
  assert.match(await page.locator("[data-testid=import-problems]").textContent(), /name/);

  await page.locator("[data-testid=import-field]").nth(1).selectOption("name");
  await page.locator("[data-testid=import-dry]").click();
  await page.locator("[data-testid=import-report][data-dry-run=true]").waitFor();
  const before = await api.get("/parts");
  assert.ok(!before.some((p) => p.code === a), "a dry run writes nothing");

  await page.locator("[data-testid=import-commit]").click();
  await page.locator("[data-testid=import-report][data-dry-run=false]").waitFor();
  assert.equal((await page.locator("[data-testid=import-created]").textContent()).trim(), "2");
  const parts = await api.get("/parts");
  const got = parts.find((p) => p.code === a);
  assert.ok(got, "imported");
  assert.equal(got.name, "皮带");
  assert.equal(got.unit_price_cents, 1250);
  assert.deepEqual(page.pageErrors, []);
});
