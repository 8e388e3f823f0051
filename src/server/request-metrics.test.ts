import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

describe('RequestMetrics', () => {
  it('counts each route, method and status apart, in the order first seen, with the latency per route and method', () => {
    const metrics = new RequestMetrics();
    metrics.record('POST', '/integrations/deploy/:endpointId', 202, 0.002);
    metrics.record('GET', '/api/v1/deploys', 200, 0.03);
    metrics.record('POST', '/integrations/deploy/:endpointId', 400, 0.0005);
    metrics.record('POST', '/integrations/deploy/:endpointId', 202, 3);
    metrics.record('POST', 'a "quoted"\\route\n', 404, 0.001);

    const lines = metrics.render().split('\n');
    expect(lines.filter((line) => line.startsWith('shipline_http_requests_total{'))).toEqual([
      'shipline_http_requests_total{method="POST",route="/integrations/deploy/:endpointId",status="202"} 2',
      'shipline_http_requests_total{method="GET",route="/api/v1/deploys",status="200"} 1',
      'shipline_http_requests_total{method="POST",route="/integrations/deploy/:endpointId",status="400"} 1',
      'shipline_http_requests_total{method="POST",route="a \\"quoted\\"\\\\route\\n",status="404"} 1',
    ]);
    const webhook = 'method="POST",route="/integrations/deploy/:endpointId"';
    const histogram = lines.filter((line) => line.includes(webhook) && line.startsWith('shipline_http_request_duration_seconds'));
    expect(histogram).toEqual([
      `shipline_http_request_duration_seconds_bucket{le="0.001",${webhook}} 1`,
      `shipline_http_request_duration_seconds_bucket{le="0.0025",${webhook}} 2`,
      ...['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5'].map(
        (le) => `shipline_http_request_duration_seconds_bucket{le="${le}",${webhook}} 2`,
      ),
      `shipline_http_request_duration_seconds_bucket{le="+Inf",${webhook}} 3`,
      `shipline_http_request_duration_seconds_sum{${webhook}} 3.0025`,
      `shipline_http_request_duration_seconds_count{${webhook}} 3`,
    ]);
    expect(lines.filter((line) => line.startsWith('shipline_http_request_duration_seconds_count{'))).toHaveLength(3);
  });
});
