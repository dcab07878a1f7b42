import { IrFunction } from '../ir';
import { GenContext } from './context';
import { CodegenError } from './prepare';

export function generateJvp(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  void ctx; void fn; void wrt; void name; void exported;
  throw new CodegenError('forward mode (not yet)');
}

export function hessianFunctions(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  void ctx; void fn; void wrt; void name; void exported;
  throw new CodegenError('Hessians (not yet)');
}
