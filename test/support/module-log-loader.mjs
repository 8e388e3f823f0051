// A Node module loader hook (node --experimental-loader) that appends the URL of every ES module
// the process loads to the file named by SHIPLINE_TEST_MODULE_LOG: what a start loads, for tests.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

export async function load(url, context, nextLoad) {
  if (process.env.SHIPLINE_TEST_MODULE_LOG) appendFileSync(process.env.SHIPLINE_TEST_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
