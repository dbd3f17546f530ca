export function api(url) {
  return async function call(op, body, { allowErr = false } = {}) {
    const r = await fetch(url + '/', { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.' + op }, body: JSON.stringify(body) });
    const t = await r.text(); const j = t ? JSON.parse(t) : {};
    if (!r.ok && !allowErr) throw new Error(`${op} ${r.status} ${t.slice(0, 300)}`);
    return allowErr ? { status: r.status, body: j } : j;
  };
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export async function pool(n, items, fn) { let i = 0; const out = new Array(items.length);
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) { const k = i++; out[k] = await fn(items[k], k); } })); return out; }
// import users from CSV rows (array of objects attr->value); returns {ms, job}
export async function importCsv(call, poolId, rows, name) {
  const { CSVHeader } = await call('GetCSVHeader', { UserPoolId: poolId });
  const esc = (v) => (v == null ? '' : /[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : String(v));
  const lines = [CSVHeader.join(',')];
  for (const r of rows) lines.push(CSVHeader.map((h) => esc(r[h] ?? (h === 'cognito:mfa_enabled' || h.endsWith('_verified') ? 'false' : ''))).join(','));
  const csv = lines.join('\n') + '\n';
  const { UserImportJob: job } = await call('CreateUserImportJob', { UserPoolId: poolId, JobName: name, CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/imp' });
  const put = await fetch(job.PreSignedUrl, { method: 'PUT', headers: { 'x-amz-server-side-encryption': 'aws:kms', 'Content-Type': 'text/csv' }, body: csv });
  if (!put.ok) throw new Error('PUT ' + put.status + ' ' + (await put.text()));
  const t0 = Date.now();
  await call('StartUserImportJob', { UserPoolId: poolId, JobId: job.JobId });
  let d;
  for (;;) { await sleep(200); d = (await call('DescribeUserImportJob', { UserPoolId: poolId, JobId: job.JobId })).UserImportJob;
    if (!['Created', 'Pending', 'InProgress', 'Stopping'].includes(d.Status)) break; }
  return { ms: Date.now() - t0, job: d };
}
