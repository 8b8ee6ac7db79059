/**
 * `pnpm start [flags]`: train a GPT (default: characters of Moby Dick) and sample from it. The last
 * line is `final val loss X.XXXX`. Ctrl-C stops after the current step with a checkpoint;
 * `pnpm start --resume` (same `--name`) continues it.
 */
import { TRAIN_USAGE, parseTrainCommand } from './cli';
import { trainGPT } from './train';

async function main(): Promise<number> {
  const command = parseTrainCommand(process.argv.slice(2));
  if (command.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nCtrl-C: stopping after this step and writing a checkpoint (Ctrl-C again quits at once)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const result = await trainGPT(command, { signal: controller.signal });
  if (result.stopped !== null) {
    console.log(`stopped at step ${result.steps} of ${result.config.steps}; continue with: pnpm start --resume --name ${result.config.name}${result.config.runsDir !== 'runs' ? ` --runs-dir ${result.config.runsDir}` : ''}`);
    return 130;
  }
  console.log(`final val loss ${result.finalValLoss.toFixed(4)}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`error: ${(error as Error).message}\n(pnpm start --help lists the flags)`);
  process.exitCode = 1;
}
