export { documentsRetention } from './retention';
