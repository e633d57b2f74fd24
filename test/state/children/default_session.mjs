// argv: project folder. Prints the default session id.
import { barrier, tldrs } from "./common.mjs";

const store = await tldrs.openStore({ project: process.argv[2] });
await barrier();
const { sessionId } = await store.state.defaultSession();
await store.close();
process.stdout.write(`id=${sessionId}\n`);
process.exit(0);
