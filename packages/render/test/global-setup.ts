import { ensureTools } from '@airspark/tools';

/** Fetch helm and kubectl once before the test files run in parallel (a cold CI cache). */
export default async function setup(): Promise<void> {
  await ensureTools({ log: (line) => process.stderr.write(`${line}\n`) });
}
