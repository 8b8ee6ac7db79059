/**
 * Building the `layers` ModuleList of an encoder or decoder stack: `numLayers` deep copies of one layer,
 * as PyTorch's `_get_clones`, or the layers a factory makes.
 */
import { ValueError } from '@tessera/core';
import { Module, ModuleList } from '@tessera/nn';
import { expectPositiveInteger } from '../validation';

/** One layer to copy (it needs a `clone()`, as the transformer layers have) or a factory of layers. */
export type LayerSource<L extends Module> = L | ((index: number) => L);

/** `numLayers` layers from `source`: clones of a layer (each independent), or `factory(0…numLayers−1)`. */
export function stackLayers<L extends Module>(where: string, source: LayerSource<L>, numLayers: number): ModuleList {
  expectPositiveInteger(where, 'numLayers', numLayers);
  const make = (index: number): Module => {
    if (typeof source === 'function') return (source as (index: number) => L)(index);
    const clone = (source as unknown as { clone?: () => L }).clone;
    if (!(source instanceof Module) || typeof clone !== 'function') {
      throw new ValueError(`${where}: expected a layer with a clone() method (a TransformerEncoderLayer or TransformerDecoderLayer) or a factory (index) => layer`);
    }
    return clone.call(source);
  };
  const layers = Array.from({ length: numLayers }, (_, index) => make(index));
  layers.forEach((layer, index) => {
    if (!(layer instanceof Module)) throw new ValueError(`${where}: the layer factory returned a non-Module for layer ${index}`);
  });
  return new ModuleList(layers);
}
