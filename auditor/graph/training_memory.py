"""Per-GPU memory of a training job: weights, gradients, optimizer state and activations.

Model state follows ZeRO (Rajbhandari et al., arXiv:1910.02054 §5): per trained parameter, 16-bit
weights and gradients plus the optimizer's fp32 master copy and state (Adam: 4 + 8 = 12 bytes, so
16 in all). ZeRO stage 1 divides the optimizer state over the data-parallel GPUs, stage 2 also the
gradients, stage 3 also the weights; FSDP strategies map onto those stages. Tensor and pipeline
parallelism divide the model before that. PEFT (LoRA, QLoRA) freezes the base weights: they keep
only their own bytes, and the adapters carry the full training state. Activations follow
Korthikanti et al. (arXiv:2205.05198, §4) when the shape of the job is declared.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.inventory.models import Workload

BYTES_PER_VALUE = {"fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5}
# Optimizer state per trained parameter, on top of the fp32 master weights of mixed precision:
# Adam/AdamW momentum + variance 8, 8-bit Adam 2, SGD with momentum 4 (HF Transformers, "model
# memory anatomy"); Adafactor's factored second moment about 4 (HF "efficient training on one GPU").
OPTIMIZER_STATE_BYTES = {"adam": 8, "adamw": 8, "adam_8bit": 2, "adafactor": 4, "sgd": 4}
MASTER_WEIGHT_BYTES = 4
# sharding / FSDP strategy -> ZeRO stage (PyTorch FSDP docs: FULL_SHARD ~ ZeRO-3, SHARD_GRAD_OP ~ ZeRO-2).
ZERO_STAGE = {"none": 0, "zero1": 1, "zero2": 2, "zero3": 3}
FSDP_STAGE = {"full_shard": 3, "shard_grad_op": 2, "hybrid_shard": 3, "no_shard": 0}
# Activation bytes per layer over s*b*h (Korthikanti et al. eq. 2 and §5): selective recomputation 34,
# full recomputation 2; none adds 5*a*s/h for the attention scores.
ACTIVATION_FACTOR = {"selective": 34, "full": 2}


@dataclass(frozen=True, slots=True)
class TrainingMemory:
    zero_stage: int | None
    shard_degree: int | None
    trainable_params: float | None
    weights_gb: float | None
    gradients_gb: float | None
    optimizer_gb: float | None
    activations_gb: float
    activations_estimated: bool


def uses_fsdp(workload: Workload) -> bool:
    return workload.sharding == "fsdp" or (workload.sharding is None and workload.fsdp_strategy is not None)


def zero_stage(workload: Workload) -> int | None:
    if uses_fsdp(workload):
        return FSDP_STAGE[workload.fsdp_strategy or "full_shard"]
    return ZERO_STAGE[workload.sharding] if workload.sharding else None


def trainable_params(workload: Workload, params: float | None) -> float | None:
    """All parameters, or with PEFT the adapters: declared, or r(d+k) per adapted d x k matrix.

    For a square h x h matrix LoRA adds 2rh parameters to h^2, so adapters are about
    target_fraction x params x 2r/h; rectangular MLP matrices need fewer, so this errs high.
    """
    if workload.peft in (None, "none"):
        return params
    if workload.trainable_parameters_billion is not None:
        return workload.trainable_parameters_billion * 1e9
    if params is None or workload.lora_rank is None or workload.hidden_size is None:
        return None
    fraction = 1.0 if workload.lora_target_fraction is None else workload.lora_target_fraction
    return params * fraction * 2 * workload.lora_rank / workload.hidden_size


def weight_bytes(workload: Workload) -> float:
    """Bytes per weight: the declared precision, else 16-bit (QLoRA: 4-bit base weights)."""
    default = "int4" if workload.peft == "qlora" else "bf16"
    return BYTES_PER_VALUE[workload.precision or default]


def gradient_bytes(workload: Workload) -> float:
    precision = workload.gradient_precision or workload.precision
    return BYTES_PER_VALUE[precision] if precision in ("fp32", "tf32", "bf16", "fp16") else 2


def training_memory(
    workload: Workload, params: float | None, model_parallel: int, data_parallel: int | None, shard_degree: int | None
) -> TrainingMemory:
    """The per-GPU breakdown (GB, 1e9 bytes); None where an input is undeclared."""
    stage = zero_stage(workload)
    trained = trainable_params(workload, params)
    peft = workload.peft not in (None, "none")
    divisor = None if stage is None else shard_degree if stage else 1
    if params is None or trained is None or stage is None or divisor is None:
        return TrainingMemory(stage, divisor, trained, None, None, None, *_activations(workload))
    w_bytes = weight_bytes(workload)
    # Frozen base weights stay at their precision; trained weights (all, or the adapters) in 16-bit.
    frozen = params if peft else 0.0
    trained_weight_bytes = 2 if peft else w_bytes
    master = MASTER_WEIGHT_BYTES if trained_weight_bytes < 4 else 0
    optimizer = master + OPTIMIZER_STATE_BYTES[workload.optimizer or "adamw"]
    per_gpu = 1 / model_parallel / 1e9

    def share(byte_count: float, sharded_from: int) -> float:
        return byte_count / divisor if stage >= sharded_from else byte_count

    return TrainingMemory(
        zero_stage=stage,
        shard_degree=divisor,
        trainable_params=trained,
        weights_gb=share(frozen * w_bytes + trained * trained_weight_bytes, 3) * per_gpu,
        gradients_gb=share(trained * gradient_bytes(workload), 2) * per_gpu,
        optimizer_gb=share(trained * optimizer, 1) * per_gpu,
        activations_gb=_activations(workload)[0],
        activations_estimated=_activations(workload)[1],
    )


def _activations(workload: Workload) -> tuple[float, bool]:
    """Korthikanti et al.: layers x s*b*h*factor / TP (sequence parallel); 1F1B keeps every layer's worth.

    Under the 1F1B schedule the first pipeline stage holds p micro-batches of L/p layers, so the
    peak does not shrink with pipeline parallelism (§4.2.3). Undeclared shape: (0, False).
    """
    s, b, h = workload.context_length, workload.micro_batch_size, workload.hidden_size
    layers, mode = workload.layers, workload.activation_checkpointing
    if s is None or b is None or h is None or layers is None or mode is None:
        return 0.0, False
    if mode == "none":
        if workload.attention_heads is None:
            return 0.0, False
        factor = 34 + 5 * workload.attention_heads * s / h
    else:
        factor = ACTIVATION_FACTOR[mode]
    return layers * s * b * h * factor / (workload.tensor_parallel or 1) / 1e9, True
