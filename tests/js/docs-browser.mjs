// Drives /docs of a running lightapid in Debian's chromium with
// playwright-core, as a person would, for tests/func/test_docs_browser.py:
//
//   node docs-browser.mjs BASE_URL OUT_DIR USERNAME PASSWORD LIST_OP JWT_OP
//
// LIST_OP and JWT_OP name operations as "GET /path". Prints one JSON
// object: the operations the page lists, what "Try it out" got on LIST_OP,
// what JWT_OP got before and after authorizing with a token from
// /auth/login, every Content-Security-Policy violation and console error,
// and the screenshot's path. Decisions are the Python test's.
import { chromium } from "playwright-core";
import path from "node:path";

const [base, outDir, username, password, listOp, jwtOp] =
    process.argv.slice(2);
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const result = { operations: [], csp: [], console: [] };

// An operation's block by "METHOD /path", as the page shows it.
function opLocator(page, op) {
	const [method, p] = op.split(" ");
	return page.locator(".opblock")
	    .filter({ has: page.locator(`.opblock-summary-path[data-path="${p}"]`) })
	    .filter({ has: page.locator(".opblock-summary-method",
		{ hasText: new RegExp(`^${method}$`) }) });
}

// Expands an operation, presses "Try it out" and "Execute"; returns the
// status and body shown under "Server response".
async function tryItOut(page, op, clear = true) {
	const block = opLocator(page, op);
	if (!(await block.locator(".try-out").count()))
		await block.locator(".opblock-summary").first().click();
	const tryBtn = block.locator("button.try-out__btn");
	if ((await tryBtn.innerText()).trim() === "Try it out")
		await tryBtn.click();
	await block.locator("button.execute").click();
	const row = block.locator(".live-responses-table .response").first();
	await row.waitFor({ timeout: 15000 });
	const status = (await row.locator(".response-col_status").innerText())
	    .trim();
	const body = await row.locator(".response-col_description pre")
	    .first().innerText();
	// Clear, so that a second run reads its own response; the last one
	// stays on the page for the screenshot.
	const clearBtn = block.locator("button.btn-clear");
	if (clear && (await clearBtn.count()))
		await clearBtn.click();
	return { status: parseInt(status, 10), body };
}

const browser = await chromium.launch({
	executablePath: browserPath,
	args: ["--no-sandbox", "--disable-gpu"],
});
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener("securitypolicyviolation", (e) =>
		    window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	page.on("console", (m) => {
		if (m.type() === "error")
			result.console.push(m.text());
	});
	await page.goto(`${base}/docs`);
	await page.locator(".opblock").first().waitFor({ timeout: 20000 });
	for (const el of await page.locator(".opblock").all()) {
		const method = (await el.locator(".opblock-summary-method")
		    .innerText()).trim();
		const p = await el.locator(".opblock-summary-path")
		    .getAttribute("data-path");
		result.operations.push(`${method} ${p}`);
	}
	result.list = await tryItOut(page, listOp);
	result.jwtBefore = await tryItOut(page, jwtOp);

	const login = await fetch(`${base}/auth/login`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ username, password }),
	});
	const token = (await login.json()).token;
	await page.locator("button.authorize").first().click();
	const modal = page.locator(".modal-ux");
	const bearer = modal.locator(".auth-container")
	    .filter({ hasText: "bearerAuth" });
	await bearer.locator("input").fill(token);
	await bearer.locator("button.authorize").click();
	await modal.locator("button.btn-done").first().click();
	result.jwtAfter = await tryItOut(page, jwtOp, false);

	result.csp = await page.evaluate(() => window.__csp);
	result.screenshot = path.join(outDir, "docs.png");
	await page.screenshot({ path: result.screenshot, fullPage: true });
} finally {
	await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
