// The gateway container's program (run with `node -e` in the API's image): for each route
// PORT=HOST:PORT in $ROUTES, accepts on PORT and pipes each connection to HOST:PORT inside the
// stack's overlay network, where HOST is a Swarm service's name. The services use DNS round
// robin endpoints, not a virtual IP (swarm.ts: the VIP needs IPVS, which many hosts lack), so
// each new connection resolves the name again and lands on one of the replicas. Published on
// 127.0.0.1 only by the container's port bindings.
export const GATEWAY_JS = `
const net = require('node:net');
for (const route of (process.env.ROUTES || '').split(',').filter(Boolean)) {
  const [listen, to] = route.split('=');
  const [host, port] = to.split(':');
  net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    client.pipe(upstream).pipe(client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close);
    upstream.on('error', close);
  }).listen(Number(listen), '0.0.0.0');
}
process.on('SIGTERM', () => process.exit(0));
`;
