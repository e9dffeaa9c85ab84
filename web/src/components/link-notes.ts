import type { DeploymentState } from '../../../src/server/contract.js';
import { describeLink, linkNeedsAttention } from '../../../src/model/links.js';

/** One link the page mentions: a short label and the full sentence for its tooltip. */
export interface LinkNote {
  key: string;
  /** `sentinel-2: down`, or the address where no local process has it. */
  text: string;
  /** `sentinel 127.0.0.1:26381: down (since 3.2 s): ... refused the connection ...` */
  detail: string;
}

/**
 * The server's links to a deployment that lost their connection or failed, named as the
 * processes are where quorum launched them. Ages are measured on the server's clock (the last
 * observation), so a browser's clock cannot skew them.
 */
export function linkNotes(deployment: DeploymentState): LinkNote[] {
  const { links } = deployment;
  const names = new Map(deployment.processes.map((p) => [p.addr, p.name]));
  const nowMs =
    deployment.topology?.observedAtMs ?? Math.max(0, ...links.map((link) => link.sinceMs));
  return links.filter(linkNeedsAttention).map((link) => {
    const name = names.get(link.addr);
    const who =
      name === undefined ? `${link.purpose === 'node' ? 'node' : 'sentinel'} ${link.addr}` : name;
    const events = link.purpose === 'sentinel-events' ? ' events' : '';
    return {
      key: `${link.purpose} ${link.addr}`,
      text: `${who}${events}: ${link.state}`,
      detail: describeLink(link, nowMs),
    };
  });
}
