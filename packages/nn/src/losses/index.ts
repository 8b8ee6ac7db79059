export { Loss, type LossOptions } from './reduction';
export { MSELoss, L1Loss } from './regression';
export { BCELoss, BCEWithLogitsLoss, type BCELossOptions, type BCEWithLogitsLossOptions } from './binary';
export { CrossEntropyLoss, NLLLoss, type CrossEntropyLossOptions, type NLLLossOptions } from './classification';
export { InfoNCELoss } from './contrastive';
export { DistillationLoss } from './distillation';
