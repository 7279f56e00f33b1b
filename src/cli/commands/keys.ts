import { envOptional } from '../../config/env';
import { loadFerjeConfig } from '../../config/ferje-config';
import { defaultKeyFilePath, ensureKeyFile, rotateKeyFile } from '../../codec/key-ring';
import { UsageError, type CliCommand } from '../command';

export const keysCommand: CliCommand = {
  name: 'keys',
  usage: 'ferje keys init|rotate',
  description: 'Create the payload encryption key file, or add a new active key (old keys keep decrypting)',
  async run(args) {
    const file = envOptional(process.env, 'FERJE_CODEC_KEY_FILE') ?? defaultKeyFilePath(loadFerjeConfig().dataDir);
    switch (args[0]) {
      case 'init':
        console.log((await ensureKeyFile(file)) ? `Created ${file}` : `${file} already exists`);
        return 0;
      case 'rotate':
        console.log(
          `New active key ${await rotateKeyFile(file)} in ${file}; restart workers, ingress and codec server`,
        );
        return 0;
      default:
        throw new UsageError('ferje keys init|rotate');
    }
  },
};
