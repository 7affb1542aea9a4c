import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { packageTestConfig } from '../../vitest.shared.js';

/**
 * The multi-replica suite is the longest file by far and mostly waits on its own processes (sandboxes, replicas,
 * PostgreSQL): it goes first, so the other files run beside it instead of after it. Without a results cache (a
 * clean clone, as in CI) vitest would order by file size, and this small file would start last.
 */
class ReplicasFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (spec: TestSpecification) => (spec.moduleId.endsWith('/test/replicas/replicas.test.ts') ? 0 : 1);
    return sorted.map((spec, index) => ({ spec, index })).sort((a, b) => first(a.spec) - first(b.spec) || a.index - b.index).map(({ spec }) => spec);
  }
}

// Two files at once (vitest's default on 2 cores is one): the runner's files spend most of their time waiting on
// sockets, child processes and timers, so a second worker overlaps those waits instead of queueing behind them.
export default packageTestConfig({ maxWorkers: 2, sequencer: ReplicasFirst });
