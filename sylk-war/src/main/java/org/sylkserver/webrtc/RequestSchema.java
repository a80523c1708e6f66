package org.sylkserver.webrtc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.json.JsonNumber;
import javax.json.JsonObject;
import javax.json.JsonString;
import javax.json.JsonValue;
import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbTransient;

import org.sylkserver.webrtc.api.Mandatory;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SipAor;
import org.sylkserver.webrtc.api.SylkRtcRequest;

/**
 * Checks a request's JSON against the fields of its JSON-B class before binding, so that a schema violation
 * is answered with the original's wording (spec §4.3) instead of a binder's message:
 * {@code Mandatory property 'sdp' of 'SessionCreateRequest' object is missing} and
 * {@code Invalid value for 'sdp' property: 42 (expected: string)}. Nested objects are checked against their
 * own class; JSON {@code null} counts as absent.
 */
final class RequestSchema {

    private static final int MAX_QUOTED_VALUE = 100;

    private RequestSchema() {
    }

    static void check(JsonObject json, Class<?> model) throws RequestError {
        for (Property property : PROPERTIES.get(model)) {
            JsonValue value = json.get(property.name());
            if (value == null || value == JsonValue.NULL) {
                if (property.mandatory()) {
                    throw new RequestError("Mandatory property '" + property.name() + "' of '" + model.getSimpleName()
                            + "' object is missing");
                }
            } else {
                checkValue(property.name(), value, property.type());
                if (property.sipAor()) {
                    expect(SipAor.Syntax.isValid(((JsonString) value).getString()), property.name(), value,
                            "SIP address of record");
                }
            }
        }
    }

    /**
     * One checked property of a request class: its JSON name, its field's type and what its annotations ask.
     *
     * @param mandatory {@link Mandatory}: absent or null is an error
     * @param sipAor    {@link SipAor}: the string must be a SIP address of record
     */
    record Property(String name, Type type, boolean mandatory, boolean sipAor) {
    }

    /**
     * The checked properties of each class, read by reflection once: {@code getDeclaredFields} copies every field
     * and each annotation lookup walks a map, and that per request was most of the check's time (issue 14,
     * sessions 21 and 23). Fields in declaration order, the class's own first, then its superclasses' up to the
     * envelope. An array, as {@code getDeclaredFields} was: the immutable lists of different sizes are different
     * classes, and the loop over them was compiled for one and deoptimized when a request of another size came.
     */
    static final ClassValue<Property[]> PROPERTIES = new ClassValue<>() {
        @Override
        protected Property[] computeValue(Class<?> model) {
            // the envelope properties of SylkRtcRequest and its base were checked before the type was known
            Class<?> stop = SylkRtcRequest.class.isAssignableFrom(model) ? SylkRtcRequest.class : Object.class;
            List<Property> properties = new ArrayList<>();
            for (Class<?> type = model; type != stop; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()
                            && !field.isAnnotationPresent(JsonbTransient.class)) {
                        properties.add(new Property(propertyName(field), field.getGenericType(),
                                field.isAnnotationPresent(Mandatory.class), field.isAnnotationPresent(SipAor.class)));
                    }
                }
            }
            return properties.toArray(new Property[0]);
        }
    };

    /**
     * Whether {@code model} or a class it nests has a free-form JSON property ({@code JsonObject} or another JSON-P
     * value, alone or in a collection), which the binding cannot fill from a parsed tree ({@link RequestCatalogue}).
     */
    static boolean holdsFreeFormObject(Class<?> model) {
        return holdsFreeFormObject(model, new HashSet<>());
    }

    private static boolean holdsFreeFormObject(Class<?> model, Set<Class<?>> seen) {
        if (!seen.add(model)) {
            return false;
        }
        for (Class<?> type = model; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()
                        && !field.isAnnotationPresent(JsonbTransient.class)
                        && holdsFreeFormObject(field.getGenericType(), seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean holdsFreeFormObject(Type type, Set<Class<?>> seen) {
        if (type instanceof ParameterizedType parameterized) {
            for (Type argument : parameterized.getActualTypeArguments()) {
                if (holdsFreeFormObject(argument, seen)) {
                    return true;
                }
            }
            return holdsFreeFormObject(parameterized.getRawType(), seen);
        }
        if (!(type instanceof Class<?> raw)) {
            return true;
        }
        return JsonValue.class.isAssignableFrom(raw)
                || !raw.isPrimitive() && !raw.isArray() && !raw.isEnum() && !raw.getName().startsWith("java.")
                && holdsFreeFormObject(raw, seen);
    }

    private static String propertyName(Field field) {
        JsonbProperty property = field.getAnnotation(JsonbProperty.class);
        return property != null && !property.value().isEmpty() ? property.value() : field.getName();
    }

    private static void checkValue(String name, JsonValue value, Type type) throws RequestError {
        Class<?> raw = (Class<?>) (type instanceof ParameterizedType parameterized ? parameterized.getRawType() : type);
        if (raw == String.class) {
            expect(value instanceof JsonString, name, value, "string");
        } else if (raw == Integer.class || raw == int.class) {
            expect(value instanceof JsonNumber number && fitsInt(number), name, value, "integer");
        } else if (raw == Long.class || raw == long.class) {
            expect(value instanceof JsonNumber number && fitsLong(number), name, value, "integer");
        } else if (raw == Boolean.class || raw == boolean.class) {
            expect(value == JsonValue.TRUE || value == JsonValue.FALSE, name, value, "boolean");
        } else if (Collection.class.isAssignableFrom(raw) && type instanceof ParameterizedType parameterized) {
            expect(value.getValueType() == JsonValue.ValueType.ARRAY, name, value, "array");
            for (JsonValue element : value.asJsonArray()) {
                checkValue(name, element, parameterized.getActualTypeArguments()[0]);
            }
        } else if (raw == JsonObject.class) {
            // free-form JSON objects (e.g. address book data) are the handler's business
            expect(value.getValueType() == JsonValue.ValueType.OBJECT, name, value, "object");
        } else if (!raw.isPrimitive() && !raw.isArray() && !raw.getName().startsWith("java.")) {
            expect(value.getValueType() == JsonValue.ValueType.OBJECT, name, value, "object");
            check(value.asJsonObject(), raw);
        } else {
            throw new IllegalStateException("request property '" + name + "' has a type the schema cannot check: " + type);
        }
    }

    private static boolean fitsInt(JsonNumber number) {
        return fitsLong(number) && number.longValueExact() == (int) number.longValueExact();
    }

    private static boolean fitsLong(JsonNumber number) {
        if (!number.isIntegral()) {
            return false;
        }
        try {
            number.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static void expect(boolean valid, String name, JsonValue value, String expected) throws RequestError {
        if (!valid) {
            throw new RequestError("Invalid value for '" + name + "' property: " + quote(value) + " (expected: " + expected + ")");
        }
    }

    /** The value as the original quotes it: strings in single quotes, anything else as JSON; long ones cut. */
    private static String quote(JsonValue value) {
        String text = value instanceof JsonString string ? "'" + string.getString() + "'" : value.toString();
        return text.length() > MAX_QUOTED_VALUE ? text.substring(0, MAX_QUOTED_VALUE) + "..." : text;
    }
}
