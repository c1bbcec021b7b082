// Worker threads start here: teach this thread TypeScript (tsx), then load the real worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
