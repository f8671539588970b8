import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * A container health check that GETs a local URL with busybox `wget` (present in the
 * Prometheus, Alertmanager and Grafana images), unhealthy after three 30 s misses.
 *
 * @param url e.g. `http://127.0.0.1:9090/-/healthy`
 * @param startPeriodSeconds grace after start (Grafana installs a plugin first)
 */
export function wgetHealthCheck(url: string, startPeriodSeconds: number): ecs.HealthCheck {
  return {
    command: ['CMD-SHELL', `wget -q -O /dev/null ${url} || exit 1`],
    interval: Duration.seconds(30),
    timeout: Duration.seconds(5),
    retries: 3,
    startPeriod: Duration.seconds(startPeriodSeconds),
  };
}
