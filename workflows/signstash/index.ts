export { signstashSignatureOperation } from './signature-operation';
