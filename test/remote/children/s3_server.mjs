// A real S3-API server (s3rver, a dev dependency) on loopback, as its own process so a test
// can stop it mid-transfer with SIGKILL. Prints its port on the first line of stdout.
// argv: <data folder> <bucket>. Accepts access key "S3RVER" (any secret: s3rver does not
// check SigV4 signatures; it refuses unknown access key ids).
import S3rver from "s3rver";

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${port}\n`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
