// Baseline of the one-send case: the least a Node script does to post one legacy message and
// read the answer, with the global fetch. Arguments: URL, registration ID; data from BENCH_DATA.
const [url, id] = process.argv.slice(2);
const response = await fetch(url, {
  method: 'POST',
  headers: { Authorization: 'key=bench-key', 'Content-Type': 'application/json' },
  body: JSON.stringify({ registration_ids: [id], data: JSON.parse(process.env.BENCH_DATA) }),
});
const answer = JSON.parse(await response.text());
if (answer.success !== 1) throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);
